package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.worker.resilience.ServerGuard;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The terminal events a transfer's work ends in, and their error codes and messages. One place, so
 * that every path (attempts, missing configuration, a bug, a refusal at intake) words its event the
 * same way, and no message quotes what must stay private: events are read by anyone on the topic,
 * so a message names an HTTP status or an exception's type, never headers, tokens or the client id.
 */
final class DecisionEvents {

  private final Clock clock;

  DecisionEvents(Clock clock) {
    this.clock = clock;
  }

  TransferEvent processing(FinalizeCommand command, URI statusUrl) {
    return TransferEvent.processing(
        command.server(), command.sender(), command.trackingId(), clock.instant(), statusUrl);
  }

  /** Cryptshare refused the finalize (or the sender's verification): its answer is the error. */
  TransferEvent rejected(FinalizeCommand command, CryptshareException.ErrorResponse answer) {
    return rejected(
        command,
        clock.instant(),
        new TransferError(
            ErrorCodes.CRYPTSHARE_REJECTED,
            answer.errorMessage(),
            answer.httpStatus(),
            answer.errorCode()));
  }

  /** A command refused at intake, at the instant it was taken in. */
  TransferEvent rejected(FinalizeCommand command, Instant at, TransferError error) {
    return failed(command, TransferState.REJECTED, at, error);
  }

  TransferEvent abandoned(FinalizeCommand command, String code, String message) {
    return failed(
        command,
        TransferState.ABANDONED,
        clock.instant(),
        new TransferError(code, message, null, null));
  }

  /**
   * The retry budget is spent.
   *
   * @param last the last failure of a request that was sent, if any
   * @param mayHaveFinalized a finalize may have taken effect: the outcome is unknown, not a failure
   */
  TransferEvent budgetSpent(
      FinalizeCommand command,
      Duration budget,
      int failures,
      @Nullable CryptshareException last,
      boolean mayHaveFinalized) {
    var answer = last instanceof CryptshareException.ErrorResponse r ? r : null;
    var message =
        last == null
            ? "Retry budget of %s spent before a request could be sent (circuit of server '%s'"
                    .formatted(budget, command.server())
                + " open or requests throttled)"
            : "Retry budget of %s spent after %d failed attempts; last error: %s"
                .formatted(budget, failures, describe(last));
    if (mayHaveFinalized) {
      message = "The finalize may have taken effect, but no status check could tell: " + message;
    }
    return failed(
        command,
        TransferState.ABANDONED,
        clock.instant(),
        new TransferError(
            mayHaveFinalized ? ErrorCodes.FINALIZE_OUTCOME_UNKNOWN : ErrorCodes.RETRY_BUDGET_SPENT,
            message,
            answer == null ? null : answer.httpStatus(),
            answer == null ? null : answer.errorCode()));
  }

  /** The work failed unexpectedly (a bug) and the transfer's deadline has passed. */
  TransferEvent workerError(FinalizeCommand command, RuntimeException e) {
    // The exception's type only: its message may quote anything, a token included.
    var message =
        "The worker failed unexpectedly (%s) and the transfer's deadline has passed; a finalize"
                .formatted(e.getClass().getSimpleName())
            + " may have taken effect";
    return abandoned(command, ErrorCodes.WORKER_ERROR, message);
  }

  private static TransferEvent failed(
      FinalizeCommand command, TransferState state, Instant at, TransferError error) {
    return TransferEvent.failedFinalize(
        command.server(), command.sender(), command.trackingId(), state, at, error);
  }

  /** A short description for logs and events: never headers, tokens or the client id. */
  static String describe(CryptshareException e) {
    return switch (e) {
      case CryptshareException.ErrorResponse r ->
          "HTTP %d%s: %s"
              .formatted(
                  r.httpStatus(),
                  r.errorCode() == null ? "" : ", errorCode " + r.errorCode(),
                  r.errorMessage());
      case CryptshareException.Unreachable u -> "server unreachable (" + causeName(u) + ")";
      case CryptshareException.OutcomeUnknown u ->
          "no answer, the request may have taken effect (" + causeName(u) + ")";
    };
  }

  private static String causeName(Throwable e) {
    if (e.getCause() instanceof ServerGuard.NotSent notSent) {
      return notSent.getMessage();
    }
    return e.getCause() == null ? "unknown cause" : e.getCause().getClass().getSimpleName();
  }
}

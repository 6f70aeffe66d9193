package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.cryptshare.CryptshareApi;
import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.ForeignLocationException;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the outcome of one finalize command by talking to Cryptshare: {@code PROCESSING}, {@code
 * REJECTED} or {@code ABANDONED}. Transient failures are retried in place, with backoff, until the
 * retry budget is spent. A finalize whose answer was lost is never repeated blindly: the transfer
 * status tells whether it had taken effect.
 */
public final class Finalizer {

  /** {@link TransferError#code()} of a finalize Cryptshare refused. */
  public static final String REJECTED = "CRYPTSHARE_REJECTED";

  /** {@link TransferError#code()} of a command given up after its retry budget. */
  public static final String BUDGET_SPENT = "RETRY_BUDGET_SPENT";

  private static final Logger log = LoggerFactory.getLogger(Finalizer.class);

  private final Function<String, ? extends CryptshareApi> servers;
  private final RetryBackoff backoff;
  private final Duration budget;
  private final Pauser pauser;
  private final Clock clock;
  private final FinalizeMetrics metrics;

  public Finalizer(
      Function<String, ? extends CryptshareApi> servers,
      RetryBackoff backoff,
      Duration budget,
      Pauser pauser,
      Clock clock,
      FinalizeMetrics metrics) {
    this.servers = servers;
    this.backoff = backoff;
    this.budget = budget;
    this.pauser = pauser;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * The event that ends this command's work.
   *
   * @throws InterruptedException the worker is stopping; nothing was decided
   */
  public TransferEvent decide(FinalizeCommand command) throws InterruptedException {
    return new Attempt(command, servers.apply(command.server())).run();
  }

  private enum Step {
    FINALIZE,
    /** The finalize request was sent but its answer lost: did it take effect? */
    CHECK_AFTER_LOST_ANSWER,
    /** Finalize answered 404: unknown session, or a transfer finalized by an earlier attempt. */
    CHECK_AFTER_NOT_FOUND
  }

  /** The state of one command's attempts; confined to one thread. */
  private final class Attempt {
    private final FinalizeCommand command;
    private final CryptshareApi api;
    private final Instant deadline;
    private Step step = Step.FINALIZE;
    private boolean requestSent;
    private boolean tokenRenewed;
    private boolean lastCheck;
    private int failures;
    private CryptshareException.@Nullable ErrorResponse notFound;
    private @Nullable CryptshareException lastError;

    Attempt(FinalizeCommand command, CryptshareApi api) {
      this.command = command;
      this.api = api;
      this.deadline = clock.instant().plus(budget);
    }

    TransferEvent run() throws InterruptedException {
      while (true) {
        TransferEvent decided;
        try {
          decided =
              switch (step) {
                case FINALIZE -> finalizeOnce();
                case CHECK_AFTER_LOST_ANSWER -> checkAfterLostAnswer();
                case CHECK_AFTER_NOT_FOUND -> checkAfterNotFound();
              };
        } catch (CryptshareException e) {
          decided = onFailure(e);
        }
        if (decided != null) {
          return decided;
        }
      }
    }

    private TransferEvent finalizeOnce() {
      URI statusUrl;
      try {
        statusUrl = withToken(token -> api.finalizeSession(sender(), trackingId(), token));
      } catch (ForeignLocationException e) {
        // The finalize took effect; only the URL is suspicious. The canonical one is safe to poll.
        log.warn(
            "Cryptshare finalized {} but named a status URL outside its origin; using the"
                + " canonical status URL",
            trackingId());
        statusUrl = api.statusUrlOf(sender(), trackingId());
      }
      log.info("Cryptshare accepted the finalize of {}; publishing PROCESSING", trackingId());
      return processing(statusUrl);
    }

    private @Nullable TransferEvent checkAfterLostAnswer() {
      if (transferExists()) {
        log.info(
            "The unanswered finalize of {} had taken effect; publishing PROCESSING", trackingId());
        return processing(api.statusUrlOf(sender(), trackingId()));
      }
      if (lastCheck) {
        return abandoned();
      }
      log.info(
          "The unanswered finalize of {} had not taken effect; finalizing again", trackingId());
      step = Step.FINALIZE;
      return null;
    }

    private TransferEvent checkAfterNotFound() {
      if (transferExists()) {
        log.info(
            "Finalize of {} answered 404 but the transfer exists: an earlier finalize had"
                + " succeeded; publishing PROCESSING",
            trackingId());
        return processing(api.statusUrlOf(sender(), trackingId()));
      }
      return rejected(Objects.requireNonNull(notFound, "notFound"));
    }

    private boolean transferExists() {
      try {
        withToken(token -> api.transferStatus(api.statusUrlOf(sender(), trackingId()), token));
        return true;
      } catch (CryptshareException.ErrorResponse e) {
        if (e.httpStatus() == 404) {
          return false;
        }
        throw e;
      }
    }

    /** Runs a call with the sender's token; a refused token is renewed once per command. */
    private <T> T withToken(Function<String, T> call) {
      requestSent = false;
      var token = api.token(sender());
      try {
        requestSent = true;
        return call.apply(token.value());
      } catch (CryptshareException.ErrorResponse e) {
        if (!e.isInvalidToken() || tokenRenewed) {
          throw e;
        }
        tokenRenewed = true;
        api.invalidateToken(sender(), token);
        log.info(
            "Cryptshare refused the verification token used for {}; fetching a fresh one and"
                + " trying once more",
            trackingId());
        requestSent = false;
        var fresh = api.token(sender());
        requestSent = true;
        return call.apply(fresh.value());
      }
    }

    private @Nullable TransferEvent onFailure(CryptshareException e) throws InterruptedException {
      boolean finalizeAnswer = step == Step.FINALIZE && requestSent;
      if (finalizeAnswer && e instanceof CryptshareException.OutcomeUnknown) {
        step = Step.CHECK_AFTER_LOST_ANSWER;
        return retryLater(
            e, "Finalize of {} got no answer ({}); checking the transfer status in {}");
      }
      if (e instanceof CryptshareException.ErrorResponse answer) {
        if (finalizeAnswer && answer.httpStatus() == 404) {
          log.info(
              "Finalize of {} answered 404; checking whether an earlier finalize had succeeded",
              trackingId());
          notFound = answer;
          step = Step.CHECK_AFTER_NOT_FOUND;
          return null;
        }
        if (isRefusal(answer)) {
          return rejected(answer);
        }
      }
      return retryLater(e, "Call to Cryptshare for {} failed ({}); retrying in {}");
    }

    private @Nullable TransferEvent retryLater(CryptshareException e, String logPattern)
        throws InterruptedException {
      failures++;
      lastError = e;
      var retryAfter = e instanceof CryptshareException.ErrorResponse r ? r.retryAfter() : null;
      var delay = backoff.delay(failures, retryAfter);
      if (clock.instant().plus(delay).isAfter(deadline)) {
        if (step == Step.CHECK_AFTER_LOST_ANSWER && !lastCheck) {
          // Abandoning a transfer that may exist is the worst outcome: look once more, now.
          lastCheck = true;
          log.info(
              "Retry budget for {} is spent; checking once more whether its finalize took effect",
              trackingId());
          return null;
        }
        return abandoned();
      }
      metrics.retried(command.server());
      log.warn(logPattern, trackingId(), describe(e), delay);
      pauser.pause(delay);
      return null;
    }

    private TransferEvent processing(URI statusUrl) {
      return TransferEvent.processing(
          command.server(), sender(), trackingId(), clock.instant(), statusUrl);
    }

    private TransferEvent rejected(CryptshareException.ErrorResponse answer) {
      log.warn(
          "Cryptshare refused the finalize of {} ({}); publishing REJECTED",
          trackingId(),
          describe(answer));
      return TransferEvent.failedFinalize(
          command.server(),
          sender(),
          trackingId(),
          TransferState.REJECTED,
          clock.instant(),
          new TransferError(
              REJECTED, answer.errorMessage(), answer.httpStatus(), answer.errorCode()));
    }

    private TransferEvent abandoned() {
      var last = Objects.requireNonNull(lastError, "lastError");
      var answer = last instanceof CryptshareException.ErrorResponse r ? r : null;
      var message =
          "Retry budget of %s spent after %d failed attempts; last error: %s"
              .formatted(budget, failures, describe(last));
      log.warn("Giving up on {}: {}; publishing ABANDONED", trackingId(), message);
      return TransferEvent.failedFinalize(
          command.server(),
          sender(),
          trackingId(),
          TransferState.ABANDONED,
          clock.instant(),
          new TransferError(
              BUDGET_SPENT,
              message,
              answer == null ? null : answer.httpStatus(),
              answer == null ? null : answer.errorCode()));
    }

    private String sender() {
      return command.sender();
    }

    private String trackingId() {
      return command.trackingId();
    }
  }

  /** 4xx other than 408 and 429: Cryptshare will give the same answer again. */
  static boolean isRefusal(CryptshareException.ErrorResponse answer) {
    int status = answer.httpStatus();
    return status >= 400 && status < 500 && status != 408 && status != 429;
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
    return e.getCause() == null ? "unknown cause" : e.getCause().getClass().getSimpleName();
  }
}

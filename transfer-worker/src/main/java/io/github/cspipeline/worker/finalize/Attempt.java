package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.cspipeline.worker.resilience.StopSwitch;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.resilience4j.retry.Retry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempts of one transfer, until a decision: a loop over steps (finalize, or a status check
 * first), each failure classified by what it means for the finalize, and transient ones retried
 * within the transfer's budget. The taxonomy is {@link Finalizer}'s; the state (the step, whether a
 * finalize may have taken effect, the last error) is confined to the transfer's thread.
 */
final class Attempt {

  /** What one attempt's work needs besides the transfer: shared by all transfers. */
  record Support(Pauser pauser, Clock clock, FinalizeMetrics metrics, DecisionEvents events) {}

  private enum Step {
    /** Resumed: did an earlier owner's finalize take effect? */
    CHECK_FIRST,
    FINALIZE,
    /** The finalize request was sent but its answer lost: did it take effect? */
    CHECK_AFTER_LOST_ANSWER,
    /** Finalize answered 404: unknown session, or a transfer finalized by an earlier attempt. */
    CHECK_AFTER_NOT_FOUND
  }

  private static final Logger log = LoggerFactory.getLogger(Attempt.class);
  private static final Duration CIRCUIT_RECHECK = Duration.ofSeconds(1);

  private final TransferProgress progress;
  private final FinalizeCommand command;
  private final TransferRequests requests;
  private final ServerGuard guard;
  private final StopSwitch stopSwitch;
  private final Support support;
  private final Retry.AsyncContext<Object> retry;
  private Step step;
  private boolean lastCheck;

  /**
   * A finalize may have taken effect: sent without a usable answer (lost, 404, 502, 504), or by an
   * earlier owner. Only a status check answering 404 clears it; while it is set, nothing ends
   * {@code REJECTED}.
   */
  private boolean mayHaveFinalized;

  private int refusedChecks;
  private int failures;
  private CryptshareException.@Nullable ErrorResponse notFound;
  private @Nullable CryptshareException lastError;

  Attempt(
      TransferProgress progress,
      TransferRequests requests,
      ServerGuard guard,
      boolean resumed,
      StopSwitch stopSwitch,
      Support support) {
    this.progress = progress;
    this.command = Objects.requireNonNull(progress.command(), "command");
    this.requests = requests;
    this.guard = guard;
    this.stopSwitch = stopSwitch;
    this.support = support;
    this.retry = guard.retry().asyncContext();
    this.step = resumed ? Step.CHECK_FIRST : Step.FINALIZE;
    this.mayHaveFinalized = resumed;
  }

  /**
   * @throws InterruptedException the work is stopping: no decision
   */
  TransferEvent run() throws InterruptedException {
    while (true) {
      if (stopSwitch.isStopping()) {
        throw new InterruptedException("stopping");
      }
      if (!guard.awaitNotOpen(progress.deadline())) {
        return abandoned();
      }
      TransferEvent decided;
      try {
        decided =
            switch (step) {
              case CHECK_FIRST ->
                  checkThenFinalize(
                      "{} was finalized before this worker took it over; publishing PROCESSING",
                      "{} was not finalized yet; finalizing it");
              case FINALIZE -> finalizeOnce();
              case CHECK_AFTER_LOST_ANSWER ->
                  checkThenFinalize(
                      "The unanswered finalize of {} had taken effect; publishing PROCESSING",
                      "The unanswered finalize of {} had not taken effect; finalizing again");
              case CHECK_AFTER_NOT_FOUND -> checkAfterNotFound();
            };
      } catch (CryptshareException e) {
        decided = onFailure(e);
      }
      if (decided != null) {
        retry.onComplete();
        return decided;
      }
    }
  }

  // Resumed, or after a lost answer: a transfer that exists was finalized, by an earlier owner or
  // the unanswered request; one that does not is finalized (again), unless the budget is spent.
  private @Nullable TransferEvent checkThenFinalize(String existsLog, String missingLog) {
    if (requests.transferExists()) {
      log.info(existsLog, trackingId());
      return processing();
    }
    mayHaveFinalized = false;
    if (lastCheck) {
      return abandoned();
    }
    log.info(missingLog, trackingId());
    step = Step.FINALIZE;
    return null;
  }

  private TransferEvent finalizeOnce() {
    var statusUrl = requests.finalizeSession();
    // DEBUG, not INFO: one line per transfer costs more CPU than its finalize request, and the
    // events topic (PROCESSING with its event id) is the audit trail of every decision.
    log.debug("Cryptshare accepted the finalize of {}; publishing PROCESSING", trackingId());
    return support.events().processing(command, statusUrl);
  }

  private @Nullable TransferEvent checkAfterNotFound() throws InterruptedException {
    if (requests.transferExists()) {
      log.info(
          "Finalize of {} answered 404 but the transfer exists: an earlier finalize had"
              + " succeeded; publishing PROCESSING",
          trackingId());
      return processing();
    }
    // Neither the finalize nor the status knows the transfer: its session is gone.
    mayHaveFinalized = false;
    return refused(Objects.requireNonNull(notFound, "notFound"));
  }

  // What a failure means for the finalize: not sent (wait, or retry), a finalize that may have
  // taken effect (check the status next), a refusal (REJECTED, unless one may have), or transient.
  private @Nullable TransferEvent onFailure(CryptshareException e) throws InterruptedException {
    var notSent = ServerGuard.notSentCause(e);
    if (notSent != null) {
      if (stopSwitch.isStopping()) {
        throw new InterruptedException("stopping");
      }
      if (notSent.circuitOpen()) {
        // No call was made: wait for the circuit, without counting a retry.
        var left = Duration.between(support.clock().instant(), progress.deadline());
        if (left.isNegative() || left.isZero()) {
          return abandoned();
        }
        guard.awaitTransition(left.compareTo(CIRCUIT_RECHECK) < 0 ? left : CIRCUIT_RECHECK);
        return null;
      }
      return retryLater(e, "throttled", "Request for {} was not sent ({}); trying again in {}");
    }
    boolean finalizeAnswer = step == Step.FINALIZE && requests.requestSent();
    if (finalizeAnswer && e.mayHaveTakenEffect()) {
      mayHaveFinalized = true;
      step = Step.CHECK_AFTER_LOST_ANSWER;
      return retryLater(
          e,
          e.kind().tag(),
          "Finalize of {} got no usable answer ({}); checking the transfer status in {}");
    }
    if (e instanceof CryptshareException.ErrorResponse answer) {
      if (finalizeAnswer && answer.httpStatus() == 404) {
        log.info(
            "Finalize of {} answered 404; checking whether an earlier finalize had succeeded",
            trackingId());
        mayHaveFinalized = true;
        notFound = answer;
        step = Step.CHECK_AFTER_NOT_FOUND;
        return null;
      }
      if (answer.kind().isRefusal()) {
        return refused(answer);
      }
    }
    return retryLater(e, e.kind().tag(), "Call to Cryptshare for {} failed ({}); retrying in {}");
  }

  private @Nullable TransferEvent retryLater(CryptshareException e, String cause, String logPattern)
      throws InterruptedException {
    failures++;
    if (ServerGuard.notSentCause(e) == null) {
      lastError = e;
    }
    long millis = retry.onError(e);
    var delay = millis < 0 ? null : Duration.ofMillis(millis);
    if (delay == null || support.clock().instant().plus(delay).isAfter(progress.deadline())) {
      if (mayHaveFinalized && !lastCheck) {
        // Abandoning a transfer that may exist is the worst outcome: look once more, now.
        lastCheck = true;
        log.info(
            "Retry budget for {} is spent; checking once more whether its finalize took effect",
            trackingId());
        return null;
      }
      return abandoned();
    }
    support.metrics().retried(command.server(), cause);
    log.warn(logPattern, trackingId(), DecisionEvents.describe(e), delay);
    support.pauser().pause(delay);
    return null;
  }

  /**
   * The one way to {@code REJECTED}: a refusal once a finalize may have taken effect is retried
   * instead (the status may still tell), and ends {@code ABANDONED} when the budget is spent.
   */
  private @Nullable TransferEvent refused(CryptshareException.ErrorResponse answer)
      throws InterruptedException {
    if (mayHaveFinalized) {
      if (++refusedChecks >= Finalizer.MAX_REFUSED_CHECKS) {
        // A refusal (e.g. 3002: the sender's verification is gone, a caller's token expired)
        // repeats; more checks would only hold the transfer until its budget is spent.
        lastError = answer;
        failures++;
        return abandoned();
      }
      return retryLater(
          answer,
          "refused",
          "Cryptshare refused a request for {} ({}) after a finalize that may have taken"
              + " effect; checking the transfer status again in {}");
    }
    log.warn(
        "Cryptshare refused the finalize of {} ({}); publishing REJECTED",
        trackingId(),
        DecisionEvents.describe(answer));
    return support.events().rejected(command, answer);
  }

  private TransferEvent processing() {
    return support.events().processing(command, requests.statusUrl());
  }

  private TransferEvent abandoned() {
    var event =
        support
            .events()
            .budgetSpent(
                command,
                Duration.between(progress.acceptedAt(), progress.deadline()),
                failures,
                lastError,
                mayHaveFinalized);
    log.warn(
        "Giving up on {}: {}; publishing ABANDONED",
        trackingId(),
        Objects.requireNonNull(event.error(), "error").message());
    return event;
  }

  private String trackingId() {
    return command.trackingId();
  }
}

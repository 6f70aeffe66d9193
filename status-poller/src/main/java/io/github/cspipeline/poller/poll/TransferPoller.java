package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.TransferStatus;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.poll.PollerMetrics.Mode;
import io.github.cspipeline.poller.poll.PollerMetrics.Outcome;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.TerminalPublisher;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows from observing a claimed watch: a terminal event, or the watch back in the schedule
 * with its next poll time. Every decision takes its time from the injected clock; nothing here
 * throws, a failure is logged and the watch polled again later. Every path ends with the claimed
 * watch ended, handed over, or released: none leaves it claimed.
 */
public final class TransferPoller {

  public static final String WATCH_DEADLINE_PASSED = "WATCH_DEADLINE_PASSED";
  public static final String TRANSFER_NOT_FOUND = "TRANSFER_NOT_FOUND";
  public static final String FOREIGN_STATUS_URL = "FOREIGN_STATUS_URL";
  public static final String SERVER_NOT_CONFIGURED = "SERVER_NOT_CONFIGURED";

  /** The {@code server} tag of meters for servers without configuration: ids are not bounded. */
  public static final String UNKNOWN_SERVER_TAG = "unknown";

  private static final Logger log = LoggerFactory.getLogger(TransferPoller.class);

  private final WatchIndex watches;
  private final StatusSource statusSource;
  private final Backoff backoff;
  private final int notFoundLimit;
  private final Duration stuckAfter;
  private final PollerMetrics metrics;
  private final TerminalStep terminal;
  private final Clock clock;

  /**
   * @param tracing where a terminal event takes its {@code traceparent} from: the poll span current
   *     on the polling thread (see {@link PollScheduler})
   */
  public TransferPoller(
      WatchIndex watches,
      StatusSource statusSource,
      TerminalPublisher publisher,
      Backoff backoff,
      int notFoundLimit,
      Duration stuckAfter,
      PollerMetrics metrics,
      PollTracing tracing,
      Clock clock) {
    this.watches = watches;
    this.statusSource = statusSource;
    this.backoff = backoff;
    this.notFoundLimit = notFoundLimit;
    this.stuckAfter = stuckAfter;
    this.metrics = metrics;
    this.terminal = new TerminalStep(watches, publisher, backoff, metrics, tracing);
    this.clock = clock;
  }

  /** The status request of one watch; never throws. */
  public PollOutcome check(Watch watch) {
    try {
      return metrics.timeRequest(watch.server(), "status", () -> statusSource.check(watch));
    } catch (RuntimeException e) {
      return new PollOutcome.Failed("unexpected: " + e);
    }
  }

  /** Polls a claimed watch once and acts on the answer. */
  public void poll(Watch claimed) {
    act(claimed, check(claimed));
  }

  /** Acts on the outcome of a claimed watch's status request. Never throws. */
  public void act(Watch claimed, PollOutcome outcome) {
    try {
      decide(claimed, outcome);
    } catch (RuntimeException e) {
      retryLater(claimed, e);
    }
  }

  /**
   * Puts a claimed watch back after its poll failed unexpectedly (a bug, here or in the scheduler):
   * a bug must not end the watch silently, leave it claimed, nor make it due again at once. Never
   * throws.
   */
  public void retryLater(Watch claimed, @Nullable Throwable cause) {
    var next = clock.instant().plus(backoff.after(claimed.polls() + 1, null));
    log.error(
        "Polling transfer {} on {} failed unexpectedly; polling again at {}",
        claimed.trackingId(),
        claimed.server(),
        next,
        cause);
    watches.release(claimed.failed().withNextPollAt(next));
  }

  /**
   * Acts on the state a sender's transfer list shows for a claimed watch that the list does not
   * settle: still in progress, or a state this code does not know. (A terminal state in the list is
   * confirmed by a status request, which also brings the recipients and download URLs.)
   */
  public void actOnListed(Watch claimed, String cryptshareState) {
    try {
      var now = clock.instant();
      markIfStuck(claimed, now);
      var watch = claimed.answered(cryptshareState);
      if (StateMapping.of(cryptshareState) instanceof StateMapping.InProgress) {
        metrics.polled(watch.server(), Outcome.PROCESSING, Mode.BULK);
        keepWatching(watch, null, now, "Cryptshare state " + cryptshareState + " (list)");
      } else {
        unrecognised(watch, cryptshareState, Mode.BULK, now);
      }
    } catch (RuntimeException e) {
      retryLater(claimed, e);
    }
  }

  /**
   * Ends a claimed watch of a server this instance has no configuration for, due because its grace
   * passed without an instance configured for the server taking it over. Never throws.
   */
  public void serverNotConfigured(Watch claimed) {
    try {
      var now = clock.instant();
      log.warn(
          "No poller configured for Cryptshare server {} took transfer {} over in time; it ends"
              + " ABANDONED with {}",
          claimed.server(),
          claimed.trackingId(),
          SERVER_NOT_CONFIGURED);
      var message =
          ("Cryptshare server '%s' is not configured on the status poller; no instance configured"
                  + " for it took the transfer over, so its status was never checked")
              .formatted(claimed.server());
      terminal.finish(
          claimed,
          TerminalStep.abandoned(claimed, SERVER_NOT_CONFIGURED, message, null, null, now),
          now,
          UNKNOWN_SERVER_TAG);
    } catch (RuntimeException e) {
      retryLater(claimed, e);
    }
  }

  /** Puts a claimed watch back, due at once, e.g. for the status request after a list. */
  public void dueNow(Watch claimed) {
    watches.release(claimed.withNextPollAt(clock.instant()));
  }

  private void decide(Watch watch, PollOutcome outcome) {
    var now = clock.instant();
    markIfStuck(watch, now);
    switch (outcome) {
      case PollOutcome.Answered(var status) ->
          onAnswer(watch.answered(status.state()), status, now);
      case PollOutcome.NotFound notFound -> onNotFound(watch.notFound(), notFound, now);
      case PollOutcome.ForeignStatusUrl(var message) -> {
        metrics.polled(watch.server(), Outcome.FOREIGN_STATUS_URL, Mode.SINGLE);
        log.warn(
            "Status URL {} of transfer {} leaves server {}; not polling it, the transfer ends"
                + " ABANDONED",
            watch.statusUrl(),
            watch.trackingId(),
            watch.server());
        finish(
            watch,
            TerminalStep.abandoned(watch, FOREIGN_STATUS_URL, message, null, null, now),
            now);
      }
      case PollOutcome.Retry(var reason, var retryAfter) -> {
        metrics.polled(watch.server(), Outcome.TRANSIENT, Mode.SINGLE);
        keepWatching(watch.failed(), retryAfter, now, "a transient failure: " + reason);
      }
      case PollOutcome.Failed(var reason) -> {
        metrics.polled(watch.server(), Outcome.ERROR, Mode.SINGLE);
        keepWatching(watch.failed(), null, now, "a failure: " + reason);
      }
    }
  }

  private void markIfStuck(Watch watch, Instant now) {
    var age = Duration.between(watch.since(), now);
    if (age.compareTo(stuckAfter) > 0 && watches.markStuck(watch)) {
      metrics.stuck(watch.server());
      log.warn(
          "Transfer {} on {} has been PROCESSING for {} (more than {}); still watching it until"
              + " {}",
          watch.trackingId(),
          watch.server(),
          age,
          stuckAfter,
          watch.deadline());
    }
  }

  private void onAnswer(Watch watch, TransferStatus status, Instant now) {
    switch (StateMapping.of(status.state())) {
      case StateMapping.Terminal(var state) -> {
        metrics.polled(watch.server(), Outcome.TERMINAL, Mode.SINGLE);
        var event =
            TransferEvent.of(
                    watch.server(),
                    watch.sender(),
                    watch.trackingId(),
                    state,
                    TransferState.PROCESSING,
                    now)
                .withStatusUrl(watch.statusUrl())
                .withCryptshareDetails(status.state(), status.warnings(), status.recipients());
        finish(watch, event, now);
      }
      case StateMapping.InProgress() -> {
        metrics.polled(watch.server(), Outcome.PROCESSING, Mode.SINGLE);
        keepWatching(watch, null, now, "Cryptshare state " + status.state());
      }
      case StateMapping.Unrecognised() -> unrecognised(watch, status.state(), Mode.SINGLE, now);
    }
  }

  private void unrecognised(Watch watch, String state, Mode mode, Instant now) {
    metrics.polled(watch.server(), Outcome.UNKNOWN_STATE, mode);
    log.warn(
        "Cryptshare reports state {} for transfer {} on {}, which the poller does not know;"
            + " watching on",
        state,
        watch.trackingId(),
        watch.server());
    keepWatching(watch, null, now, "unknown Cryptshare state " + state);
  }

  private void onNotFound(Watch watch, PollOutcome.NotFound notFound, Instant now) {
    metrics.polled(watch.server(), Outcome.NOT_FOUND, Mode.SINGLE);
    if (watch.notFoundInARow() < notFoundLimit) {
      keepWatching(
          watch,
          null,
          now,
          "404 %d of %d: %s".formatted(watch.notFoundInARow(), notFoundLimit, notFound.message()));
      return;
    }
    log.warn(
        "Cryptshare answered 404 to {} polls in a row for transfer {} on {}; it ends ABANDONED",
        watch.notFoundInARow(),
        watch.trackingId(),
        watch.server());
    var message =
        "Cryptshare answered %d to %d status polls in a row: %s"
            .formatted(notFound.httpStatus(), watch.notFoundInARow(), notFound.message());
    finish(
        watch,
        TerminalStep.abandoned(
            watch, TRANSFER_NOT_FOUND, message, notFound.httpStatus(), notFound.errorCode(), now),
        now);
  }

  private void keepWatching(Watch watch, @Nullable Duration retryAfter, Instant now, String why) {
    if (!now.isBefore(watch.deadline())) {
      log.warn(
          "Transfer {} on {} has no terminal state at its watch deadline {} (last: {}); it ends"
              + " ABANDONED",
          watch.trackingId(),
          watch.server(),
          watch.deadline(),
          why);
      var message =
          "No terminal state within the watch deadline of %s; last Cryptshare state: %s; last poll: %s"
              .formatted(
                  Duration.between(watch.since(), watch.deadline()),
                  watch.lastCryptshareState(),
                  why);
      finish(
          watch,
          TerminalStep.abandoned(watch, WATCH_DEADLINE_PASSED, message, null, null, now),
          now);
      return;
    }
    var next = now.plus(backoff.after(watch.polls(), retryAfter));
    // The last poll happens at the deadline, so a transfer that ends just in time is not abandoned.
    if (next.isAfter(watch.deadline())) {
      next = watch.deadline();
    }
    log.debug(
        "Transfer {} on {}: {}; polling again at {}",
        watch.trackingId(),
        watch.server(),
        why,
        next);
    watches.release(watch.withNextPollAt(next));
  }

  private void finish(Watch watch, TransferEvent event, Instant now) {
    terminal.finish(watch, event, now, watch.server());
  }
}

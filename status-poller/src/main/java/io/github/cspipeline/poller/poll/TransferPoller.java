package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.TransferStatus;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.poll.PollerMetrics.Outcome;
import io.github.cspipeline.poller.publish.EventPublisher;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchList;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of one watched transfer and what follows from it: a terminal event, or the time of the
 * next poll. Every decision takes its time from the injected clock.
 */
public final class TransferPoller {

  public static final String WATCH_DEADLINE_PASSED = "WATCH_DEADLINE_PASSED";
  public static final String TRANSFER_NOT_FOUND = "TRANSFER_NOT_FOUND";
  public static final String FOREIGN_STATUS_URL = "FOREIGN_STATUS_URL";

  private static final Logger log = LoggerFactory.getLogger(TransferPoller.class);

  private final WatchList watches;
  private final StatusSource statusSource;
  private final EventPublisher publisher;
  private final Backoff backoff;
  private final int notFoundLimit;
  private final PollerMetrics metrics;
  private final Clock clock;

  public TransferPoller(
      WatchList watches,
      StatusSource statusSource,
      EventPublisher publisher,
      Backoff backoff,
      int notFoundLimit,
      PollerMetrics metrics,
      Clock clock) {
    this.watches = watches;
    this.statusSource = statusSource;
    this.publisher = publisher;
    this.backoff = backoff;
    this.notFoundLimit = notFoundLimit;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Polls the transfer once, unless its watch ended meanwhile. Never throws. */
  public void poll(TransferKey key) {
    var watch = watches.get(key).orElse(null);
    if (watch == null) {
      return;
    }
    try {
      act(watch, metrics.timePoll(key.server(), () -> statusSource.check(watch)));
    } catch (RuntimeException e) {
      // A bug must not end the watch silently, nor make it due again at once.
      var next = clock.instant().plus(backoff.after(watch.polls() + 1, null));
      log.error(
          "Polling transfer {} on {} failed unexpectedly; polling again at {}",
          key.trackingId(),
          key.server(),
          next,
          e);
      watches.update(watch.failed().withNextPollAt(next));
    }
  }

  private void act(Watch watch, PollOutcome outcome) {
    var now = clock.instant();
    switch (outcome) {
      case PollOutcome.Answered(var status) ->
          onAnswer(watch.answered(status.state()), status, now);
      case PollOutcome.NotFound notFound -> onNotFound(watch.notFound(), notFound, now);
      case PollOutcome.ForeignStatusUrl(var message) -> {
        metrics.polled(watch.server(), Outcome.FOREIGN_STATUS_URL);
        log.warn(
            "Status URL {} of transfer {} leaves server {}; not polling it, the transfer ends"
                + " ABANDONED",
            watch.statusUrl(),
            watch.trackingId(),
            watch.server());
        finish(watch, abandoned(watch, FOREIGN_STATUS_URL, message, null, null, now), now);
      }
      case PollOutcome.Retry(var reason, var retryAfter) -> {
        metrics.polled(watch.server(), Outcome.TRANSIENT);
        keepWatching(watch.failed(), retryAfter, now, "a transient failure: " + reason);
      }
      case PollOutcome.Failed(var reason) -> {
        metrics.polled(watch.server(), Outcome.ERROR);
        keepWatching(watch.failed(), null, now, "a failure: " + reason);
      }
    }
  }

  private void onAnswer(Watch watch, TransferStatus status, Instant now) {
    switch (StateMapping.of(status.state())) {
      case StateMapping.Terminal(var state) -> {
        metrics.polled(watch.server(), Outcome.TERMINAL);
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
        metrics.polled(watch.server(), Outcome.PROCESSING);
        keepWatching(watch, null, now, "Cryptshare state " + status.state());
      }
      case StateMapping.Unrecognised() -> {
        metrics.polled(watch.server(), Outcome.UNKNOWN_STATE);
        log.warn(
            "Cryptshare reports state {} for transfer {} on {}, which the poller does not know;"
                + " watching on",
            status.state(),
            watch.trackingId(),
            watch.server());
        keepWatching(watch, null, now, "unknown Cryptshare state " + status.state());
      }
    }
  }

  private void onNotFound(Watch watch, PollOutcome.NotFound notFound, Instant now) {
    metrics.polled(watch.server(), Outcome.NOT_FOUND);
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
        abandoned(
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
      finish(watch, abandoned(watch, WATCH_DEADLINE_PASSED, message, null, null, now), now);
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
    watches.update(watch.withNextPollAt(next));
  }

  private void finish(Watch watch, TransferEvent event, Instant now) {
    if (watches.get(watch.key()).isEmpty()) {
      log.debug(
          "Transfer {} on {} ended meanwhile; not publishing {}",
          watch.trackingId(),
          watch.server(),
          event.state());
      return;
    }
    try {
      publisher.publish(event, watch.traceparent());
    } catch (RuntimeException e) {
      var next = now.plus(backoff.after(watch.polls(), null));
      log.warn(
          "Could not publish {} of transfer {} on {}; keeping the watch and polling again at {}",
          event.state(),
          watch.trackingId(),
          watch.server(),
          next,
          e);
      watches.update(watch.withNextPollAt(next));
      return;
    }
    if (watches.end(watch.key())) {
      metrics.reachedTerminal(watch.server(), event.state(), Duration.between(watch.since(), now));
    }
    log.info(
        "Transfer {} on {} is {} (Cryptshare: {}) after {} polls; published event {}",
        watch.trackingId(),
        watch.server(),
        event.state(),
        event.cryptshareState(),
        watch.polls(),
        event.eventId());
  }

  private static TransferEvent abandoned(
      Watch watch,
      String code,
      String message,
      @Nullable Integer httpStatus,
      @Nullable Integer cryptshareErrorCode,
      Instant now) {
    return TransferEvent.of(
            watch.server(),
            watch.sender(),
            watch.trackingId(),
            TransferState.ABANDONED,
            TransferState.PROCESSING,
            now)
        .withStatusUrl(watch.statusUrl())
        .withCryptshareDetails(watch.lastCryptshareState(), false, List.of())
        .withError(new TransferError(code, message, httpStatus, cryptshareErrorCode));
  }
}

package io.github.cspipeline.poller.poll;

import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.TerminalPublisher;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last step of a watch for the {@link TransferPoller}: its terminal event. */
final class TerminalStep {

  // Logs as the poller, whose decisions these are.
  private static final Logger log = LoggerFactory.getLogger(TransferPoller.class);

  private final WatchIndex watches;
  private final TerminalPublisher publisher;
  private final Backoff backoff;
  private final PollerMetrics metrics;
  private final PollTracing tracing;

  TerminalStep(
      WatchIndex watches,
      TerminalPublisher publisher,
      Backoff backoff,
      PollerMetrics metrics,
      PollTracing tracing) {
    this.watches = watches;
    this.publisher = publisher;
    this.backoff = backoff;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  /**
   * Publishes the terminal event of a claimed watch, which ends the watch; a watch whose event was
   * not published goes back into the schedule with a backoff.
   *
   * @param serverTag the {@code server} tag of the meters
   */
  void finish(Watch watch, TransferEvent event, Instant now, String serverTag) {
    boolean published;
    try {
      // The span of this poll is the event's parent; the journal's writer thread has no scope.
      published =
          publisher.publishTerminal(watch, event, tracing.traceparentHere(watch.traceparent()));
    } catch (RuntimeException e) {
      var next = now.plus(backoff.after(watch.polls(), null));
      log.warn(
          "Could not publish {} of transfer {} on {}; keeping the watch and polling again at {}",
          event.state(),
          watch.trackingId(),
          watch.server(),
          next,
          e);
      watches.release(watch.withNextPollAt(next));
      return;
    }
    if (!published) {
      // Mostly the watch ended meanwhile or left with its partition, and this release does nothing.
      // But the journal also refuses while the watch's partition is being loaded again, and then
      // the watch, still here and claimed, must go back into the schedule.
      var next = now.plus(backoff.after(watch.polls(), null));
      if (watches.release(watch.withNextPollAt(next))) {
        log.info(
            "The journal did not take the {} event of transfer {} on {} (its partition is not open"
                + " yet); polling again at {}",
            event.state(),
            watch.trackingId(),
            watch.server(),
            next);
      } else {
        log.debug(
            "Transfer {} on {} is no longer watched here (ended meanwhile or handed over); not"
                + " publishing {}",
            watch.trackingId(),
            watch.server(),
            event.state());
      }
      return;
    }
    metrics.reachedTerminal(serverTag, event.state(), Duration.between(watch.since(), now));
    // DEBUG: a line per transfer costs CPU at volume, and the terminal event just published on the
    // events topic is the audit trail. Unusual endings (ABANDONED) were logged at WARN above.
    log.debug(
        "Transfer {} on {} is {} (Cryptshare: {}) after {} polls; published event {}",
        watch.trackingId(),
        watch.server(),
        event.state(),
        event.cryptshareState(),
        watch.polls(),
        event.eventId());
  }

  static TransferEvent abandoned(
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
        // A relative one is only the path a watch without its server's configuration kept.
        .withStatusUrl(watch.statusUrl().isAbsolute() ? watch.statusUrl() : null)
        .withCryptshareDetails(watch.lastCryptshareState(), false, List.of())
        .withError(new TransferError(code, message, httpStatus, cryptshareErrorCode));
  }
}

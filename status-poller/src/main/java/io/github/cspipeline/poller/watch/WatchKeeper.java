package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.error.InvalidEventException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a watch for every {@code PROCESSING} event and ends it at any terminal event of the same
 * transfer, whoever published it: that is what keeps a transfer to one terminal event.
 */
public final class WatchKeeper {

  private static final Logger log = LoggerFactory.getLogger(WatchKeeper.class);

  /** The contract's trackingId: 1–64 chars of {@code [A-Za-z0-9_-]}, otherwise opaque. */
  private static final Pattern TRACKING_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final WatchList watches;
  private final Set<String> servers;
  private final Duration firstPollDelay;
  private final Duration watchDeadline;
  private final Clock clock;

  public WatchKeeper(
      WatchList watches,
      Set<String> servers,
      Duration firstPollDelay,
      Duration watchDeadline,
      Clock clock) {
    this.watches = watches;
    this.servers = Set.copyOf(servers);
    this.firstPollDelay = firstPollDelay;
    this.watchDeadline = watchDeadline;
    this.clock = clock;
  }

  /**
   * Acts on one event of the transfer events topic.
   *
   * @param traceparent the record's W3C trace context, if it has one
   * @throws InvalidEventException for a {@code PROCESSING} event that cannot be watched
   */
  public void onEvent(TransferEvent event, @Nullable String traceparent) {
    if (event.state() == TransferState.PROCESSING) {
      startWatching(event, traceparent);
    } else if (event.state().isTerminal()) {
      var key = new TransferKey(event.server(), event.trackingId());
      if (watches.end(key)) {
        log.info(
            "Transfer {} on {} is {} according to event {}; no longer watching it",
            event.trackingId(),
            event.server(),
            event.state(),
            event.eventId());
      }
    }
  }

  private void startWatching(TransferEvent event, @Nullable String traceparent) {
    var statusUrl = event.statusUrl();
    if (!servers.contains(event.server())) {
      // Without the server's configuration the transfer cannot be polled; dropping it silently
      // would break the one-terminal-event promise, the dead-letter topic makes it visible.
      throw new InvalidEventException(
          event.server(),
          event.trackingId(),
          "names a server this poller has no configuration for");
    }
    if (statusUrl == null) {
      throw new InvalidEventException(
          event.server(), event.trackingId(), "is PROCESSING without a statusUrl");
    }
    if (!TRACKING_ID.matcher(event.trackingId()).matches()) {
      throw new InvalidEventException(
          event.server(), event.trackingId(), "has a malformed trackingId");
    }
    if (event.sender().isBlank()) {
      throw new InvalidEventException(event.server(), event.trackingId(), "has no sender");
    }
    var watch =
        Watch.start(
            event, statusUrl, clock.instant().plus(firstPollDelay), watchDeadline, traceparent);
    if (watches.add(watch)) {
      log.info(
          "Watching transfer {} on {}; first status poll at {}, giving up at {}",
          event.trackingId(),
          event.server(),
          watch.nextPollAt(),
          watch.deadline());
    } else {
      log.debug(
          "Transfer {} on {} is already watched or has ended; ignoring repeated PROCESSING event",
          event.trackingId(),
          event.server());
    }
  }
}

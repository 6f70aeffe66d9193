package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.error.InvalidEventException;
import io.github.cspipeline.poller.tracing.PollTracing;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what transfer events mean for the watch list: a {@code PROCESSING} event starts a watch,
 * any terminal event of the same transfer ends it, whoever published it. It also decides how a
 * watch loaded from the watch topic resumes after a takeover.
 */
public final class WatchKeeper {

  private static final Logger log = LoggerFactory.getLogger(WatchKeeper.class);

  /** The contract's trackingId: 1–64 chars of {@code [A-Za-z0-9_-]}, otherwise opaque. */
  private static final Pattern TRACKING_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** How polling resumes after a takeover, derived from the backoff. */
  public record Resumption(
      ToIntFunction<Duration> pollsAtAge, IntFunction<Duration> intervalAfter) {}

  private final WatchIndex index;
  private final Set<String> servers;
  private final Duration firstPollDelay;
  private final Duration watchDeadline;
  private final Resumption resumption;
  private final DoubleSupplier random;
  private final PollTracing tracing;
  private final Clock clock;

  /**
   * @param random values in {@code [0, 1)} that spread resumed polls; tests pass a constant
   * @param tracing gives a watch without a valid trace context a new trace
   */
  public WatchKeeper(
      WatchIndex index,
      Set<String> servers,
      Duration firstPollDelay,
      Duration watchDeadline,
      Resumption resumption,
      DoubleSupplier random,
      PollTracing tracing,
      Clock clock) {
    this.index = index;
    this.servers = Set.copyOf(servers);
    this.firstPollDelay = firstPollDelay;
    this.watchDeadline = watchDeadline;
    this.resumption = resumption;
    this.random = random;
    this.tracing = tracing;
    this.clock = clock;
  }

  /**
   * Adds what one event of the transfer events topic changes to {@code changes}.
   *
   * @param event the event; null when the record could not be read
   * @param traceparent the record's W3C trace context, if it has one
   * @throws InvalidEventException for an event that cannot be read, or a {@code PROCESSING} event
   *     that cannot be watched
   */
  public void onEvent(
      @Nullable TransferEvent event,
      String recordKey,
      @Nullable String traceparent,
      PartitionChanges changes) {
    if (event == null) {
      throw new InvalidEventException("?", recordKey, "has no readable value");
    }
    var key = new TransferKey(event.server(), event.trackingId());
    if (event.state() == TransferState.PROCESSING) {
      startWatching(event, key, traceparent, changes);
    } else if (event.state().isTerminal()) {
      if (changes.starts(key) || index.contains(key)) {
        log.debug(
            "Transfer {} on {} is {} according to event {}",
            event.trackingId(),
            event.server(),
            event.state(),
            event.eventId());
        changes.end(key);
      }
    }
  }

  private void startWatching(
      TransferEvent event,
      TransferKey key,
      @Nullable String traceparent,
      PartitionChanges changes) {
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
    if (changes.concerns(key) || index.contains(key) || index.hasEnded(key)) {
      log.debug(
          "Transfer {} on {} is already watched or has ended; ignoring repeated PROCESSING event",
          event.trackingId(),
          event.server());
      return;
    }
    // A PROCESSING event without trace context (from an older producer) starts a trace here, kept
    // with the watch on the watch topic: its polls and its terminal event form that one trace.
    changes.start(
        Watch.start(
            event,
            statusUrl,
            clock.instant().plus(firstPollDelay),
            watchDeadline,
            tracing.keep(traceparent, event.server(), event.trackingId())));
  }

  /**
   * A watch loaded from the watch topic by a new owner: polled within one poll interval from now
   * (the interval a watch of its age has reached, at random within it so that a takeover of many
   * watches does not poll them all at once), never after its deadline. A record written without
   * trace context (by an older poller) gets a new trace, for as long as this instance holds it.
   */
  public Watch resume(WatchRecord record) {
    var now = clock.instant();
    var age = Duration.between(record.watchedAt(), now);
    int polls = age.isNegative() ? 0 : resumption.pollsAtAge().applyAsInt(age);
    var interval = resumption.intervalAfter().apply(polls);
    // In double nanoseconds, which saturate: a backoff cap of centuries must not fail the load.
    double intervalNanos = interval.getSeconds() * 1e9 + interval.getNano();
    var next = now.plusNanos((long) (intervalNanos * random.getAsDouble()));
    if (next.isAfter(record.deadline())) {
      next = record.deadline().isBefore(now) ? now : record.deadline();
    }
    return new Watch(
        0,
        record.key(),
        record.sender(),
        record.statusUrl(),
        record.since(),
        record.deadline(),
        next,
        polls,
        0,
        null,
        tracing.keep(record.traceparent(), record.server(), record.trackingId()));
  }
}

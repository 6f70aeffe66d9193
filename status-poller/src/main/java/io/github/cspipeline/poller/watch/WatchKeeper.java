package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.error.InvalidEventException;
import io.github.cspipeline.poller.tracing.PollTracing;
import java.net.URI;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Decides what transfer events mean for the watch list: a {@code PROCESSING} event starts a watch,
 * any terminal event of the same transfer ends it, whoever published it. It also decides how a
 * watch loaded from the watch topic resumes after a takeover.
 *
 * <p>A {@code PROCESSING} event of a server this instance has no configuration for is watched too
 * (ADR 022, addendum): durably, like any other, but without requests. It is due only when its grace
 * ({@code unknown-server-grace}, from when it was first watched) has passed; by then an instance
 * configured for the server should have taken it over (a rolling deployment), otherwise the
 * scheduler ends it {@code ABANDONED} with {@code SERVER_NOT_CONFIGURED}.
 */
public final class WatchKeeper {

  private static final Logger log = LoggerFactory.getLogger(WatchKeeper.class);

  /** The contract's trackingId: 1–64 chars of {@code [A-Za-z0-9_-]}, otherwise opaque. */
  private static final Pattern TRACKING_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** How polling resumes after a takeover, derived from the backoff. */
  public record Resumption(
      ToIntFunction<Duration> pollsAtAge, IntFunction<Duration> intervalAfter) {}

  /** The canonical status URL of a transfer on a configured server. */
  @FunctionalInterface
  public interface StatusUrls {
    URI statusUrlOf(String server, String sender, String trackingId);
  }

  private final WatchIndex index;
  private final Set<String> servers;
  private final StatusUrls statusUrls;
  private final Duration unknownServerGrace;
  private final Duration firstPollDelay;
  private final Duration watchDeadline;
  private final Resumption resumption;
  private final DoubleSupplier random;
  private final PollTracing tracing;
  private final Clock clock;

  /**
   * @param servers the servers this instance has configuration for
   * @param statusUrls the status URL of a {@code PROCESSING} event that has none
   * @param unknownServerGrace how long a watch of a server not in {@code servers} waits for an
   *     instance configured for it before it ends {@code ABANDONED}
   * @param random values in {@code [0, 1)} that spread resumed polls; tests pass a constant
   * @param tracing gives a watch without a valid trace context a new trace
   */
  public WatchKeeper(
      WatchIndex index,
      Set<String> servers,
      StatusUrls statusUrls,
      Duration unknownServerGrace,
      Duration firstPollDelay,
      Duration watchDeadline,
      Resumption resumption,
      DoubleSupplier random,
      PollTracing tracing,
      Clock clock) {
    this.index = index;
    this.servers = Set.copyOf(servers);
    this.statusUrls = statusUrls;
    this.unknownServerGrace = unknownServerGrace;
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
   *     whose trackingId or sender cannot key a watch
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
    // Such an event cannot key a watch (record key, status URL) safely. The gateway refuses these
    // requests, so no accepted transfer can get here: the dead-letter topic is enough.
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
    boolean configured = servers.contains(event.server());
    var statusUrl = event.statusUrl();
    if (statusUrl == null) {
      // The worker publishes the URL Cryptshare gave; without it the canonical one is as good.
      statusUrl = canonicalStatusUrl(event.server(), event.sender(), event.trackingId());
    }
    var now = clock.instant();
    var firstPollAt =
        configured ? now.plus(firstPollDelay) : plusSaturated(now, unknownServerGrace);
    // A PROCESSING event without trace context (from an older producer) starts a trace here, kept
    // with the watch on the watch topic: its polls and its terminal event form that one trace.
    var watch =
        Watch.start(
            event,
            statusUrl,
            firstPollAt,
            watchDeadline,
            tracing.keep(traceparent, event.server(), event.trackingId()));
    if (!configured) {
      warnAwaitingConfiguration(watch);
    }
    changes.start(watch);
  }

  /**
   * The canonical status URL on a configured server; for another server a relative reference (the
   * path only), which {@link #resume} on an instance configured for it replaces.
   */
  private URI canonicalStatusUrl(String server, String sender, String trackingId) {
    if (servers.contains(server)) {
      return statusUrls.statusUrlOf(server, sender, trackingId);
    }
    return UriComponentsBuilder.newInstance()
        .pathSegment("api", "users", sender, "transfers", trackingId)
        .encode()
        .build()
        .toUri();
  }

  private void warnAwaitingConfiguration(Watch watch) {
    log.warn(
        "Transfer {} is PROCESSING on Cryptshare server {}, which this poller has no configuration"
            + " for; not polling it, and waiting until {} for an instance configured for {} to take"
            + " it over. Otherwise it ends ABANDONED with SERVER_NOT_CONFIGURED",
        watch.trackingId(),
        watch.server(),
        watch.nextPollAt(),
        watch.server());
  }

  private static Instant plusSaturated(Instant instant, Duration duration) {
    try {
      return instant.plus(duration);
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  /**
   * A watch loaded from the watch topic by a new owner: polled within one poll interval from now
   * (the interval a watch of its age has reached, at random within it so that a takeover of many
   * watches does not poll them all at once), never after its deadline. A record written without
   * trace context (by an older poller) gets a new trace, for as long as this instance holds it.
   */
  public Watch resume(WatchRecord record) {
    var now = clock.instant();
    if (!servers.contains(record.server())) {
      return resumeAwaitingConfiguration(record, now);
    }
    var statusUrl =
        record.statusUrl().isAbsolute()
            ? record.statusUrl()
            // Started by an instance without this server's configuration from an event without
            // status URL: only the path was known there.
            : statusUrls.statusUrlOf(record.server(), record.sender(), record.trackingId());
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
        statusUrl,
        record.since(),
        record.deadline(),
        next,
        polls,
        0,
        null,
        tracing.keep(record.traceparent(), record.server(), record.trackingId()));
  }

  /**
   * A watch of a server this instance has no configuration for, loaded after a takeover: the grace
   * runs from when the transfer was first watched, so that takeovers by instances as unconfigured
   * as this one do not prolong it; due (and then ended) at once when it has passed.
   */
  private Watch resumeAwaitingConfiguration(WatchRecord record, Instant now) {
    var next = plusSaturated(record.watchedAt(), unknownServerGrace);
    if (next.isAfter(record.deadline())) {
      next = record.deadline();
    }
    if (next.isBefore(now)) {
      next = now;
    }
    var watch =
        new Watch(
            0,
            record.key(),
            record.sender(),
            record.statusUrl(),
            record.since(),
            record.deadline(),
            next,
            0,
            0,
            null,
            tracing.keep(record.traceparent(), record.server(), record.trackingId()));
    warnAwaitingConfiguration(watch);
    return watch;
  }
}

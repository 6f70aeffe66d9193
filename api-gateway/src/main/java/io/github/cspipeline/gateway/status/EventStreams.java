package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.error.GatewayException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The event streams of this instance. Each stream holds a slot, at most {@code
 * max-streams-per-caller} per credential and {@code max-streams} in all, from the moment it is
 * granted until it ends for any reason (terminal state, timeout, client gone, error, shutdown). A
 * silent stream sends a comment line every {@code heartbeat}, so a client that is gone is noticed
 * when the write fails rather than at the stream's timeout. When the instance stops, every stream
 * is completed at once, before the web server's graceful shutdown waits for open requests.
 */
@Component
class EventStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

  private final TransferViews views;
  private final GatewayProperties.Sse settings;
  private final Duration timeout;
  private final Duration retryAfter;
  private final Clock clock;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  // Both guarded by this.
  private final Map<String, Integer> perCaller = new HashMap<>();
  private int total;
  private volatile boolean running;
  private volatile boolean stopped;

  EventStreams(
      TransferViews views, GatewayProperties properties, Clock clock, MeterRegistry meters) {
    this.views = views;
    this.settings = properties.gateway().sse();
    this.timeout = properties.gateway().sseTimeout();
    this.retryAfter = properties.gateway().retryAfter();
    this.clock = clock;
    Gauge.builder("cryptshare.gateway.sse.streams", this, EventStreams::openStreams)
        .description("Open Server-Sent Events streams on this instance")
        .register(meters);
  }

  /** One open stream: its emitter, the changes waiting to be sent, and its slot. */
  private final class Stream {
    final String caller;
    final SseEmitter emitter;
    final LinkedBlockingQueue<TransferView> changes = new LinkedBlockingQueue<>();
    final AtomicBoolean ended = new AtomicBoolean();
    volatile TransferViews.Subscription subscription = () -> {};

    Stream(String caller, SseEmitter emitter) {
      this.caller = caller;
      this.emitter = emitter;
    }

    /** Frees the slot and the subscription; the first call counts, later ones do nothing. */
    void end() {
      if (ended.compareAndSet(false, true)) {
        subscription.close();
        open.remove(this);
        release(caller);
      }
    }
  }

  /**
   * Opens a stream of the transfer's view and its changes, if the caller and the instance have a
   * slot free.
   *
   * @param caller the credential's name, the unit of the per-caller bound
   * @throws GatewayException 429 {@code TOO_MANY_STREAMS} over the caller's bound, 503 {@code
   *     STREAMS_EXHAUSTED} over the instance's bound or while the instance stops
   */
  SseEmitter open(String caller, String server, String trackingId) {
    reserve(caller, trackingId);
    var stream = new Stream(caller, new SseEmitter(timeout.toMillis()));
    try {
      open.add(stream);
      stream.emitter.onCompletion(stream::end);
      stream.emitter.onTimeout(stream::end);
      stream.emitter.onError(e -> stream.end());
      stream.subscription = views.watch(server, trackingId, stream.changes::offer);
      // Subscribed first, then read: a change in between is in the queue, not lost.
      var first =
          views
              .find(server, trackingId)
              .orElseThrow(() -> new IllegalStateException("The view of " + trackingId + " left"));
      var until = clock.instant().plus(timeout);
      Thread.ofVirtual().name("sse-" + trackingId).start(() -> stream(stream, first, until));
      if (stopped) {
        // stop() may have run between reserve() and open.add(); this stream must not outlive it.
        stream.end();
        stream.emitter.complete();
      }
      return stream.emitter;
    } catch (RuntimeException e) {
      stream.end();
      throw e;
    }
  }

  private void stream(Stream stream, TransferView first, Instant until) {
    var last = first;
    try {
      send(stream.emitter, first);
      var lastWrite = clock.instant();
      while (!last.isTerminal() && !stream.ended.get()) {
        var now = clock.instant();
        if (!now.isBefore(until)) {
          break;
        }
        var beat = lastWrite.plus(settings.heartbeat());
        if (!now.isBefore(beat)) {
          stream.emitter.send(SseEmitter.event().comment("heartbeat"));
          lastWrite = now;
          continue;
        }
        long waitMs =
            Math.min(
                Math.min(
                    Duration.between(now, until).toMillis(),
                    Duration.between(now, beat).toMillis()),
                1_000);
        var next = stream.changes.poll(Math.max(1, waitMs), TimeUnit.MILLISECONDS);
        if (next != null && !next.equals(last)) {
          send(stream.emitter, next);
          last = next;
          lastWrite = clock.instant();
        }
      }
      stream.emitter.complete();
    } catch (IOException | IllegalStateException e) {
      // The client went away (a failed write, often a heartbeat) or the stream was completed.
      log.debug("Event stream of {} ended: {}", first.trackingId(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stream.emitter.complete();
    } finally {
      stream.end();
    }
  }

  private static void send(SseEmitter emitter, TransferView view) throws IOException {
    emitter.send(
        SseEmitter.event()
            .name("transfer")
            .id(view.state())
            .data(view, MediaType.APPLICATION_JSON));
  }

  private synchronized void reserve(String caller, String trackingId) {
    if (stopped) {
      throw new GatewayException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "STREAMS_EXHAUSTED",
          "This instance is shutting down; reconnect",
          retryAfter,
          null);
    }
    int callers = perCaller.getOrDefault(caller, 0);
    if (callers >= settings.maxStreamsPerCaller()) {
      log.info(
          "Event stream of {} refused: caller {} already has {} open streams",
          trackingId,
          caller,
          callers);
      throw new GatewayException(
          HttpStatus.TOO_MANY_REQUESTS,
          "TOO_MANY_STREAMS",
          "This credential has "
              + callers
              + " open event streams, the most it may have; close one or retry later",
          retryAfter,
          null);
    }
    if (total >= settings.maxStreams()) {
      log.warn(
          "Event stream of {} refused: this instance has {} open streams, its bound",
          trackingId,
          total);
      throw new GatewayException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "STREAMS_EXHAUSTED",
          "This instance has no event stream free; retry later",
          retryAfter,
          null);
    }
    perCaller.merge(caller, 1, Integer::sum);
    total++;
  }

  private synchronized void release(String caller) {
    perCaller.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
    total--;
  }

  /** How many streams are open now. */
  synchronized int openStreams() {
    return total;
  }

  /** Also after a stop: a stopped context may be started again (the test framework pauses them). */
  @Override
  public void start() {
    stopped = false;
    running = true;
  }

  /** Completes every open stream, so that a restart is not held up for the streams' timeout. */
  @Override
  public void stop() {
    stopped = true;
    running = false;
    List<Stream> streams = List.copyOf(open);
    if (!streams.isEmpty()) {
      log.info(
          "Completing {} open event streams; clients reconnect to another instance",
          streams.size());
    }
    for (var stream : streams) {
      stream.end();
      try {
        stream.emitter.complete();
      } catch (RuntimeException e) {
        log.debug("Event stream could not be completed: {}", e.toString());
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /**
   * Stops before the web server's graceful shutdown (phase {@code Integer.MAX_VALUE - 1024}), which
   * would otherwise wait for the open streams.
   */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }
}

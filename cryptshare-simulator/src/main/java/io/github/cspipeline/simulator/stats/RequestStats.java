package io.github.cspipeline.simulator.stats;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * What reached the Cryptshare API: requests per endpoint, the highest request rate in any sliding
 * one-second window, injected faults, and per tracking id the finalize and status calls, how each
 * finalize ended (and the last finalize's {@code traceparent}). Every arriving request counts,
 * whatever its answer, also one refused by an injected fault.
 */
@Component
public class RequestStats {

  /** Faults the simulator injected. */
  public enum Fault {
    INJECTED_ERROR("injectedErrors"),
    RATE_LIMITED("rateLimited"),
    LOST_RESPONSE("lostResponses"),
    OUTAGE("outage");

    private final String key;

    Fault(String key) {
      this.key = key;
    }
  }

  /** Requests so far and the highest number within one second. */
  public record Rate(long requests, long maxPerSecond) {}

  /** The answer of {@code GET /simulator/stats}. */
  public record Snapshot(
      String since, Rate total, Map<String, Rate> endpoints, Map<String, Long> faults) {}

  private static final class Counter {
    private final LongAdder requests = new LongAdder();
    private final SlidingWindow window = new SlidingWindow();

    void record(long nanos) {
      requests.increment();
      window.record(nanos);
    }

    Rate rate() {
      return new Rate(requests.sum(), window.max());
    }

    void reset() {
      requests.reset();
      window.reset();
    }
  }

  /** Longer {@code traceparent} values are cut: a caller's header must not grow the memory. */
  static final int MAX_TRACEPARENT = 256;

  private final Clock clock;
  private final Counter total = new Counter();
  private final Map<Endpoint, Counter> endpoints = new EnumMap<>(Endpoint.class);
  private final Map<Fault, LongAdder> faults = new EnumMap<>(Fault.class);
  private final Map<String, CallCounts> calls = new ConcurrentHashMap<>();
  private volatile Instant since;

  public RequestStats(Clock clock) {
    this.clock = clock;
    for (Endpoint endpoint : Endpoint.values()) {
      endpoints.put(endpoint, new Counter());
    }
    for (Fault fault : Fault.values()) {
      faults.put(fault, new LongAdder());
    }
    this.since = clock.instant();
  }

  public void record(Endpoint.Classified request) {
    record(request, null);
  }

  /**
   * @param traceparent the request's W3C {@code traceparent} header, kept for a finalize and a
   *     status GET (at most {@value #MAX_TRACEPARENT} characters)
   */
  public void record(Endpoint.Classified request, @Nullable String traceparent) {
    long nanos = nanos(clock.instant());
    total.record(nanos);
    endpoints.get(request.endpoint()).record(nanos);
    String trackingId = request.trackingId();
    if (trackingId != null) {
      CallCounts counts = calls.computeIfAbsent(trackingId, id -> new CallCounts());
      if (request.endpoint() == Endpoint.FINALIZE) {
        counts.finalizeCalled(request.sender(), cut(traceparent));
      } else if (request.endpoint() == Endpoint.STATUS) {
        counts.statusCalled(cut(traceparent));
      }
    }
  }

  private static @Nullable String cut(@Nullable String traceparent) {
    return traceparent == null || traceparent.length() <= MAX_TRACEPARENT
        ? traceparent
        : traceparent.substring(0, MAX_TRACEPARENT);
  }

  public void fault(Fault fault) {
    faults.get(fault).increment();
  }

  /**
   * Counts how a finalize call of this tracking id ended; called once per call, after {@link
   * #record(Endpoint.Classified, String)} counted its arrival.
   */
  public void finalizeEnded(String trackingId, FinalizeOutcome outcome) {
    calls.computeIfAbsent(trackingId, id -> new CallCounts()).finalizeEnded(outcome);
  }

  public CallCounts calls(String trackingId) {
    return calls.getOrDefault(trackingId, CallCounts.NONE);
  }

  /** Every tracking id with at least one finalize call, and its counts, in no particular order. */
  public void forEachFinalized(BiConsumer<String, CallCounts> action) {
    calls.forEach(
        (trackingId, counts) -> {
          if (counts.finalizeCalls() > 0) {
            action.accept(trackingId, counts);
          }
        });
  }

  public Snapshot snapshot() {
    Map<String, Rate> perEndpoint = new LinkedHashMap<>();
    endpoints.forEach((endpoint, counter) -> perEndpoint.put(endpoint.key(), counter.rate()));
    Map<String, Long> injected = new LinkedHashMap<>();
    faults.forEach((fault, count) -> injected.put(fault.key, count.sum()));
    return new Snapshot(since.toString(), total.rate(), perEndpoint, injected);
  }

  /** Resets the totals, rates and fault counts; per tracking id counts stay. */
  public void reset() {
    total.reset();
    endpoints.values().forEach(Counter::reset);
    faults.values().forEach(LongAdder::reset);
    since = clock.instant();
  }

  /** Resets everything, per tracking id counts included. */
  public void clear() {
    reset();
    calls.clear();
  }

  static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}

package io.github.cspipeline.chaos;

import io.github.cspipeline.chaos.Events.Event;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The benchmark's clock of each transfer, keyed {@code server/trackingId}: when its command was
 * sent, and when the driver saw its PROCESSING and its terminal event; and how many of the measured
 * transfers and of the warm-up ones are terminal.
 */
final class TransferTimes {

  /** When the driver saw each step of one transfer (epoch ms; 0 = not yet). */
  static final class Times {
    final boolean warmup;
    volatile long requested;
    volatile long processing;
    volatile long terminal;

    Times(boolean warmup) {
      this.warmup = warmup;
    }
  }

  private final String server;
  private final int measured;
  private final Map<String, Times> times = new ConcurrentHashMap<>();
  private final AtomicInteger terminals = new AtomicInteger();
  private final AtomicInteger warmupTerminals = new AtomicInteger();
  private final AtomicLong nthTerminalAt = new AtomicLong();

  /** {@code measured}: how many transfers are measured, the warm-up not counted. */
  TransferTimes(String server, int measured) {
    this.server = server;
    this.measured = measured;
  }

  void add(List<String> trackingIds, boolean warmup) {
    trackingIds.forEach(id -> times.put(server + "/" + id, new Times(warmup)));
  }

  void requested(String trackingId, long epochMilli) {
    times.get(server + "/" + trackingId).requested = epochMilli;
  }

  /** The live reader's callback: stamps the transfer's PROCESSING and first terminal event. */
  void observe(Event event) {
    var t = times.get(event.key());
    if (t == null) {
      return; // counted by the audit
    }
    long now = System.currentTimeMillis();
    if (t.warmup) {
      if (event.terminal() && t.terminal == 0) {
        t.terminal = now;
        warmupTerminals.incrementAndGet();
      }
      return;
    }
    if (event.state().equals("PROCESSING")) {
      if (t.processing == 0) {
        t.processing = now;
      }
    } else if (event.terminal() && t.terminal == 0) {
      t.terminal = now;
      if (terminals.incrementAndGet() == measured) {
        nthTerminalAt.set(now);
      }
    }
  }

  Set<String> keys() {
    return times.keySet();
  }

  int terminals() {
    return terminals.get();
  }

  int warmupTerminals() {
    return warmupTerminals.get();
  }

  /** When the last measured transfer's terminal event arrived (epoch ms; 0 = not yet). */
  long nthTerminalAt() {
    return nthTerminalAt.get();
  }

  long processingSeen() {
    return times.values().stream().filter(t -> !t.warmup && t.processing != 0).count();
  }

  /** {@code span} of the measured transfers that were seen in every step. */
  BenchmarkResult.Latency latencies(ToLongFunction<Times> span) {
    var values =
        times.values().stream()
            .filter(t -> !t.warmup && t.terminal != 0 && t.processing != 0 && t.requested != 0)
            .mapToLong(span)
            .sorted()
            .toArray();
    return BenchmarkResult.Latency.of(values);
  }
}

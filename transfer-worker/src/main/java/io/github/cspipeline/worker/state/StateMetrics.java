package io.github.cspipeline.worker.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** Meters of the worker's durable memory: restores, lookups and what the book keeps. */
public final class StateMetrics {

  /** Reads of the state topic: {@code kind} restore, recheck or lookup; {@code outcome}. */
  public static final String READS = "cryptshare.worker.state.reads";

  /** Decisions announced again for a transfer requested anew (same event id). */
  public static final String REANNOUNCED = "cryptshare.worker.reannounced";

  /** Decided transfers kept in memory. */
  public static final String REMEMBERED = "cryptshare.worker.decided.remembered";

  private final MeterRegistry registry;

  public StateMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void gauges(Supplier<Number> remembered) {
    Gauge.builder(REMEMBERED, remembered)
        .description("Decided transfers kept in memory to recognise repeated commands")
        .register(registry);
  }

  /**
   * @param kind {@code restore} (assignment), {@code recheck} (after an intake commit of unknown
   *     outcome), {@code lookup} (a possibly forgotten transfer), {@code verify} (after a decision
   *     commit of unknown outcome)
   * @param outcome {@code ok} or {@code failed}
   */
  public void read(String kind, String outcome) {
    Counter.builder(READS)
        .description("Reads of the worker's state topic")
        .tag("kind", kind)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  public void reannounced(String server) {
    Counter.builder(REANNOUNCED)
        .description("Decisions published again, with their original event id")
        .tag("server", server)
        .register(registry)
        .increment();
  }
}

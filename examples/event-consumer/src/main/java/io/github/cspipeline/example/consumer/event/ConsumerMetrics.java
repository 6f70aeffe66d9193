package io.github.cspipeline.example.consumer.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Counts records by outcome and state: {@value #EVENTS} ({@code example_consumer_events_total} in
 * Prometheus).
 */
public final class ConsumerMetrics {

  public static final String EVENTS = "example.consumer.events";

  /** What became of a record. */
  public enum Outcome {
    /** The handler succeeded. */
    HANDLED,
    /** Not a terminal event, or a {@code ce_type} this consumer does not know. */
    SKIPPED,
    /** Its {@code ce_id} was handled before. */
    DUPLICATE,
    /** One attempt failed; it is retried or, after the last, dead-lettered. */
    FAILED,
    /** Written to the dead-letter topic. */
    DEAD_LETTERED;

    String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  // A producer could put anything in a header: tag values stay within a known set.
  private static final Set<String> STATES =
      Set.of("PROCESSING", "ACTIVE", "FAILED", "DELETED", "REJECTED", "ABANDONED");

  private final MeterRegistry registry;

  public ConsumerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void count(Outcome outcome, @Nullable String state) {
    Counter.builder(EVENTS)
        .description("Transfer event records by what the consumer did with them")
        .tag("outcome", outcome.tag())
        .tag("state", state == null ? "none" : STATES.contains(state) ? state : "other")
        .register(registry)
        .increment();
  }
}

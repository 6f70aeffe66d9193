package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.event.TransferState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The worker's meters. Tags carry only configured server ids and fixed sets of outcomes, never
 * tracking ids or senders, to keep cardinality bounded.
 */
public final class FinalizeMetrics {

  /**
   * Counter of what became of commands, tagged {@code server} and {@code outcome}: {@code
   * processing}, {@code rejected}, {@code abandoned} (decisions), {@code duplicate} (a command for
   * a transfer already taken in or decided), {@code dead_letter}.
   */
  public static final String FINALIZE = "cryptshare.worker.finalize";

  /**
   * Counter of finalize requests sent, tagged {@code server} and {@code outcome}: {@code created},
   * {@code refused} (4xx but 404), {@code not_found}, {@code server_error} (5xx, 408), {@code
   * rate_limited} (429), {@code no_answer} (timeout, reset), {@code unreachable}.
   */
  public static final String CALLS = "cryptshare.worker.finalize.calls";

  /** Time of each finalize request, tagged {@code server} (histogram). */
  public static final String CALL_LATENCY = "cryptshare.worker.finalize.call.latency";

  /** Time from intake to decision, tagged {@code server} (histogram). */
  public static final String LATENCY = "cryptshare.worker.finalize.latency";

  /** Counter of retries scheduled, tagged {@code server} and {@code cause}. */
  public static final String RETRIES = "cryptshare.worker.retries";

  /** Gauge of transfers being worked on by this instance. */
  public static final String IN_FLIGHT = "cryptshare.worker.finalize.in.flight";

  /** Gauge: 1 while consumption of commands is paused (circuits open or too much in work). */
  public static final String PAUSED = "cryptshare.worker.consumer.paused";

  /** Tag value for records whose server is not configured (or unreadable). */
  public static final String UNKNOWN_SERVER = "unknown";

  private final MeterRegistry registry;

  public FinalizeMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the gauges read from the worker's state. */
  public void gauges(Supplier<Number> inFlight, Supplier<Number> paused) {
    Gauge.builder(IN_FLIGHT, inFlight)
        .description("Transfers this instance is working on")
        .register(registry);
    Gauge.builder(PAUSED, paused)
        .description("1 while the command consumer is paused")
        .register(registry);
  }

  /** A decision: processing, rejected or abandoned. */
  public void decided(String server, TransferState state, Duration took) {
    count(server, state.name().toLowerCase(Locale.ROOT));
    Timer.builder(LATENCY)
        .description("Time from taking a command in to its decision")
        .tag("server", server)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  public void duplicate(String server) {
    count(server, "duplicate");
  }

  public void deadLettered(String server) {
    count(server, "dead_letter");
  }

  public void finalizeCall(String server, String outcome, Duration took) {
    Counter.builder(CALLS)
        .description("Finalize requests sent to Cryptshare, by outcome")
        .tag("server", server)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    Timer.builder(CALL_LATENCY)
        .description("Time of one finalize request")
        .tag("server", server)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  public void retried(String server, String cause) {
    Counter.builder(RETRIES)
        .description("Retries scheduled after transient failures")
        .tag("server", server)
        .tag("cause", cause)
        .register(registry)
        .increment();
  }

  private void count(String server, String outcome) {
    Counter.builder(FINALIZE)
        .description("What became of finalize commands")
        .tag("server", server)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }
}

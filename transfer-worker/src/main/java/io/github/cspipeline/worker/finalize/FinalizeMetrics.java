package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.event.TransferState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's meters. Tags carry only configured server ids and a fixed set of outcomes, never
 * tracking ids or senders, to keep cardinality bounded.
 */
public final class FinalizeMetrics {

  /** Counter of finalize outcomes, tagged {@code server} and {@code outcome}. */
  public static final String FINALIZE = "cryptshare.worker.finalize";

  /** Time from the first attempt to the decision, tagged {@code server}. */
  public static final String LATENCY = "cryptshare.worker.finalize.latency";

  /** Commands being worked on right now. */
  public static final String IN_FLIGHT = "cryptshare.worker.finalize.in.flight";

  /** Tag value for records whose server is not configured (or unreadable). */
  public static final String UNKNOWN_SERVER = "unknown";

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();

  public FinalizeMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge(IN_FLIGHT, inFlight);
  }

  /** A decision: processing, rejected or abandoned. */
  public void decided(String server, TransferState state, Duration took) {
    count(server, state.name().toLowerCase(Locale.ROOT));
    Timer.builder(LATENCY)
        .description("Time from the first finalize attempt to the decision")
        .tag("server", server)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  public void retried(String server) {
    count(server, "retry");
  }

  public void deadLettered(String server) {
    count(server, "dead_letter");
  }

  public void started() {
    inFlight.incrementAndGet();
  }

  public void ended() {
    inFlight.decrementAndGet();
  }

  private void count(String server, String outcome) {
    Counter.builder(FINALIZE)
        .description("Finalize outcomes and retries")
        .tag("server", server)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }
}

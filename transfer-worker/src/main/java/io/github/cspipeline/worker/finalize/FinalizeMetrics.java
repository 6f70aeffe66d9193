package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.event.TransferState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The worker's meters. Tags carry only configured server ids (any other server id is tagged {@value
 * #UNKNOWN_SERVER}) and fixed sets of outcomes, never tracking ids or senders, to keep cardinality
 * bounded.
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

  /**
   * Gauge of transfers waiting for this instance's configuration, tagged {@code reason}: {@code
   * server_not_configured}, {@code credential_key_unknown} or {@code credential_invalid} (this
   * instance's key of that id differs from the one that took the transfer in). They end {@code
   * ABANDONED} when their budget is spent, unless an instance with the configuration takes them
   * over: an operator should look at a value above 0.
   */
  public static final String AWAITING_CONFIGURATION =
      "cryptshare.worker.finalize.awaiting.configuration";

  /** Tag value for records whose server is not configured (or unreadable). */
  public static final String UNKNOWN_SERVER = "unknown";

  private final MeterRegistry registry;
  private final Predicate<String> configuredServer;
  private final Map<String, AtomicInteger> awaitingConfiguration = new ConcurrentHashMap<>();
  private final Map<Key, Meter> meters = new ConcurrentHashMap<>();

  /**
   * @param configuredServer whether a server id is configured; others are tagged {@value
   *     #UNKNOWN_SERVER}
   */
  public FinalizeMetrics(MeterRegistry registry, Predicate<String> configuredServer) {
    this.registry = registry;
    this.configuredServer = configuredServer;
  }

  /** One more transfer waits for configuration ({@code reason}: a fixed set of values). */
  public void startedWaitingForConfiguration(String reason) {
    waiting(reason).incrementAndGet();
  }

  /** A transfer no longer waits for configuration. */
  public void stoppedWaitingForConfiguration(String reason) {
    waiting(reason).decrementAndGet();
  }

  private AtomicInteger waiting(String reason) {
    return awaitingConfiguration.computeIfAbsent(
        reason,
        r -> {
          var count = new AtomicInteger();
          Gauge.builder(AWAITING_CONFIGURATION, count, AtomicInteger::get)
              .description("Transfers waiting for a server or credential key this instance lacks")
              .tag("reason", r)
              .register(registry);
          return count;
        });
  }

  private String tagOf(String server) {
    return configuredServer.test(server) ? server : UNKNOWN_SERVER;
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
    record(LATENCY, "Time from taking a command in to its decision", server, took);
  }

  public void duplicate(String server) {
    count(server, "duplicate");
  }

  public void deadLettered(String server) {
    count(server, "dead_letter");
  }

  public void finalizeCall(String server, String outcome, Duration took) {
    increment(
        CALLS, "Finalize requests sent to Cryptshare, by outcome", server, "outcome", outcome);
    record(CALL_LATENCY, "Time of one finalize request", server, took);
  }

  public void retried(String server, String cause) {
    increment(RETRIES, "Retries scheduled after transient failures", server, "cause", cause);
  }

  private void count(String server, String outcome) {
    increment(FINALIZE, "What became of finalize commands", server, "outcome", outcome);
  }

  /** Counters are tagged by server and one more tag from a fixed set of values. */
  private void increment(
      String name, String description, String server, String labelTag, String label) {
    meter(
            new Key(name, tagOf(server), label),
            key ->
                Counter.builder(name)
                    .description(description)
                    .tag("server", key.server())
                    .tag(labelTag, key.label())
                    .register(registry),
            Counter.class)
        .increment();
  }

  /** Timers are tagged by server only, with a histogram for percentiles across instances. */
  private void record(String name, String description, String server, Duration took) {
    meter(
            new Key(name, tagOf(server), ""),
            key ->
                Timer.builder(name)
                    .description(description)
                    .tag("server", key.server())
                    .publishPercentileHistogram()
                    .register(registry),
            Timer.class)
        .record(took);
  }

  // Registered once per (meter, server, outcome) and reused: building and looking up a meter per
  // call (tags sorted, id hashed, registry map) cost more than recording (issue 12). The tag values
  // are bounded sets, so the cache is too.
  private <M extends Meter> M meter(Key key, Function<Key, Meter> register, Class<M> type) {
    return type.cast(meters.computeIfAbsent(key, register));
  }

  private record Key(String name, String server, String label) {}
}

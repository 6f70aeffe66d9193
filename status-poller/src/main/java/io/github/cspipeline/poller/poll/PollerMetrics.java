package io.github.cspipeline.poller.poll;

import io.github.cspipeline.model.event.TransferState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/** The poller's meters, apart from the gauges registered with the watch index. */
public final class PollerMetrics {

  public static final String WATCHED = "cryptshare.poller.watched";
  public static final String STUCK = "cryptshare.poller.stuck";
  public static final String SENDERS = "cryptshare.poller.senders";
  public static final String AWAITING_CONFIGURATION = "cryptshare.poller.awaiting.configuration";
  public static final String STUCK_DETECTED = "cryptshare.poller.stuck.detected";
  public static final String POLLS = "cryptshare.poller.polls";
  public static final String POLL_LATENCY = "cryptshare.poller.poll.latency";
  public static final String SCHEDULE_LAG = "cryptshare.poller.schedule.lag";
  public static final String LIST_PAGES = "cryptshare.poller.list.pages";
  public static final String TIME_TO_TERMINAL = "cryptshare.poller.time.to.terminal";

  /** Values of the {@code outcome} tag of {@value #POLLS}. */
  public enum Outcome {
    PROCESSING,
    TERMINAL,
    UNKNOWN_STATE,
    NOT_FOUND,
    FOREIGN_STATUS_URL,
    TRANSIENT,
    ERROR;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a transfer's state was learnt: its own status request, or the sender's transfer list. */
  public enum Mode {
    SINGLE,
    BULK;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final int TERMINAL_STATES = TransferState.values().length;

  private final MeterRegistry registry;

  // Meters are looked up per poll; building one (tags, id, registry lookup) each time cost more
  // than
  // the poll's own logic. So each is built once, at first use, and kept here per server. A meter
  // whose registration fails is not kept: the next use tries again. Server ids are bounded (the
  // configured ones and "unknown"), so these maps are too.
  private final Map<String, AtomicReferenceArray<Counter>> polls = new ConcurrentHashMap<>();
  private final Map<String, Timer> statusLatency = new ConcurrentHashMap<>();
  private final Map<String, Timer> listLatency = new ConcurrentHashMap<>();
  private final Map<String, Timer> scheduleLag = new ConcurrentHashMap<>();
  private final Map<String, Counter> stuck = new ConcurrentHashMap<>();
  private final Map<String, Counter> listPages = new ConcurrentHashMap<>();
  private final Map<String, AtomicReferenceArray<Timer>> timeToTerminal = new ConcurrentHashMap<>();

  public PollerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void polled(String server, Outcome outcome, Mode mode) {
    var counters =
        polls.computeIfAbsent(
            server,
            s -> new AtomicReferenceArray<>(Outcome.values().length * Mode.values().length));
    slot(
            counters,
            outcome.ordinal() * Mode.values().length + mode.ordinal(),
            () ->
                Counter.builder(POLLS)
                    .description("Status observations of watched transfers, by outcome and mode")
                    .tag("server", server)
                    .tag("outcome", outcome.tag())
                    .tag("mode", mode.tag())
                    .register(registry))
        .increment();
  }

  /**
   * The meter in a slot, registered at its first use. Two threads may both register it: the
   * registry hands both the same meter.
   */
  private static <M> M slot(AtomicReferenceArray<M> meters, int index, Supplier<M> register) {
    var meter = meters.get(index);
    if (meter == null) {
      meter = register.get();
      meters.set(index, meter);
    }
    return meter;
  }

  /**
   * Times one request to Cryptshare ({@code endpoint} = status or list), token renewal included.
   */
  public <T> T timeRequest(String server, String endpoint, Supplier<T> request) {
    var timers =
        switch (endpoint) {
          case "status" -> statusLatency;
          case "list" -> listLatency;
          default -> null;
        };
    var timer =
        timers == null
            ? latencyTimer(server, endpoint)
            : timers.computeIfAbsent(server, s -> latencyTimer(s, endpoint));
    return timer.record(request);
  }

  private Timer latencyTimer(String server, String endpoint) {
    return Timer.builder(POLL_LATENCY)
        .description("Duration of one request to Cryptshare, token renewal included")
        .tag("server", server)
        .tag("endpoint", endpoint)
        .register(registry);
  }

  /**
   * How late a due poll started. With a histogram (so that percentiles can be computed over any
   * window, e.g. by the benchmark, and aggregated over instances) and a bucket at the 1 s target.
   * The timer (with its histogram configuration) is built once per server.
   */
  public void scheduleLag(String server, Duration lag) {
    var timer =
        scheduleLag.computeIfAbsent(
            server,
            s ->
                Timer.builder(SCHEDULE_LAG)
                    .description("How late a due status poll started")
                    .tag("server", s)
                    .publishPercentiles(0.5, 0.99)
                    .publishPercentileHistogram()
                    .serviceLevelObjectives(Duration.ofSeconds(1))
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(5))
                    .register(registry));
    timer.record(lag.isNegative() ? Duration.ZERO : lag);
  }

  /** A watched transfer passed the stuck threshold (counted once per transfer and owner). */
  public void stuck(String server) {
    stuck
        .computeIfAbsent(
            server,
            s ->
                Counter.builder(STUCK_DETECTED)
                    .description(
                        "Watched transfers found PROCESSING for longer than the stuck threshold")
                    .tag("server", s)
                    .register(registry))
        .increment();
  }

  public void listPage(String server) {
    listPages
        .computeIfAbsent(
            server,
            s ->
                Counter.builder(LIST_PAGES)
                    .description("Pages of sender transfer lists requested for bulk reconciliation")
                    .tag("server", s)
                    .register(registry))
        .increment();
  }

  public void reachedTerminal(String server, TransferState state, Duration sinceProcessing) {
    var timers =
        timeToTerminal.computeIfAbsent(server, s -> new AtomicReferenceArray<>(TERMINAL_STATES));
    var timer =
        slot(
            timers,
            state.ordinal(),
            () ->
                Timer.builder(TIME_TO_TERMINAL)
                    .description("Time from PROCESSING to the terminal event the poller published")
                    .tag("server", server)
                    .tag("state", state.name())
                    .register(registry));
    timer.record(sinceProcessing.isNegative() ? Duration.ZERO : sinceProcessing);
  }
}

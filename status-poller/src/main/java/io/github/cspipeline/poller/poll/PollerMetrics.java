package io.github.cspipeline.poller.poll;

import io.github.cspipeline.model.event.TransferState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/** The poller's meters, apart from the gauge of watched transfers (registered with the list). */
public final class PollerMetrics {

  public static final String WATCHED = "cryptshare.poller.watched";
  public static final String POLLS = "cryptshare.poller.polls";
  public static final String POLL_LATENCY = "cryptshare.poller.poll.latency";
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

  private final MeterRegistry registry;

  public PollerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void polled(String server, Outcome outcome) {
    Counter.builder(POLLS)
        .description("Status polls of Cryptshare transfers, by outcome")
        .tag("server", server)
        .tag("outcome", outcome.tag())
        .register(registry)
        .increment();
  }

  public <T> T timePoll(String server, Supplier<T> poll) {
    return Timer.builder(POLL_LATENCY)
        .description("Duration of one status poll, token renewal included")
        .tag("server", server)
        .register(registry)
        .record(poll);
  }

  public void reachedTerminal(String server, TransferState state, Duration sinceProcessing) {
    Timer.builder(TIME_TO_TERMINAL)
        .description("Time from PROCESSING to the terminal event the poller published")
        .tag("server", server)
        .tag("state", state.name())
        .register(registry)
        .record(sinceProcessing.isNegative() ? Duration.ZERO : sinceProcessing);
  }
}

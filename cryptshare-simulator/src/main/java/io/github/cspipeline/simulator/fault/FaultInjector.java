package io.github.cspipeline.simulator.fault;

import io.github.cspipeline.simulator.stats.SlidingWindow;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.springframework.stereotype.Component;

/** The current fault settings and the decisions made from them, one request at a time. */
@Component
public class FaultInjector {

  /** What to do with one request. */
  public enum Decision {
    PASS,
    OUTAGE,
    RATE_LIMITED,
    INJECTED_ERROR,
    LOSE_RESPONSE
  }

  private final Clock clock;
  private final RandomGenerator random;
  private final AtomicReference<FaultSettings> settings = new AtomicReference<>(FaultSettings.NONE);
  private final SlidingWindow admitted = new SlidingWindow();
  private volatile boolean connectionDropSupported;

  public FaultInjector(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  public FaultSettings current() {
    return settings.get();
  }

  public FaultSettings update(FaultSettings.Update update) {
    FaultSettings next = settings.get().with(update);
    if (next.lostResponseRate() > 0 && !connectionDropSupported) {
      throw new UnsupportedOperationException(
          "lost responses need the embedded Tomcat of a running server");
    }
    settings.set(next);
    return next;
  }

  public void clear() {
    settings.set(FaultSettings.NONE);
    admitted.reset();
  }

  /** Called once the server can drop connections without an answer. */
  void enableConnectionDrop() {
    connectionDropSupported = true;
  }

  /**
   * Decides the fate of a request, in this order: outage, rate limit, injected error, lost
   * response. A request refused by the rate limit does not use up the limit.
   */
  public Decision decide(FaultSettings faults) {
    if (faults.outage()) {
      return Decision.OUTAGE;
    }
    if (faults.rateLimitPerSecond() > 0
        && !admitted.tryRecord(nanos(clock.instant()), faults.rateLimitPerSecond())) {
      return Decision.RATE_LIMITED;
    }
    if (hit(faults.errorRate())) {
      return Decision.INJECTED_ERROR;
    }
    if (hit(faults.lostResponseRate())) {
      return Decision.LOSE_RESPONSE;
    }
    return Decision.PASS;
  }

  private boolean hit(double rate) {
    return rate > 0 && (rate >= 1 || random.nextDouble() < rate);
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}

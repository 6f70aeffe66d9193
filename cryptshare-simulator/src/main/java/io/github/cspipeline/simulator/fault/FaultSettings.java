package io.github.cspipeline.simulator.fault;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Faults injected into {@code /api/**}.
 *
 * @param errorRate share (0..1) of requests answered with {@code errorStatus} without taking effect
 * @param errorStatus HTTP status of injected errors (400..599)
 * @param latency added before every answer
 * @param lostResponseRate share (0..1) of requests that take effect and then lose their answer: the
 *     connection is dropped before any response byte
 * @param rateLimitPerSecond requests admitted in any sliding second; more answer 429/2007; 0 = no
 *     limit
 * @param retryAfterSeconds the {@code Retry-After} of 429 answers
 * @param outage every request answers 503/5000
 */
public record FaultSettings(
    double errorRate,
    int errorStatus,
    Duration latency,
    double lostResponseRate,
    int rateLimitPerSecond,
    int retryAfterSeconds,
    boolean outage) {

  private static final Duration MAX_LATENCY = Duration.ofMinutes(5);

  public static final FaultSettings NONE =
      new FaultSettings(0.0, 503, Duration.ZERO, 0.0, 0, 1, false);

  public FaultSettings {
    requireRatio("errorRate", errorRate);
    requireRatio("lostResponseRate", lostResponseRate);
    if (errorStatus < 400 || errorStatus > 599) {
      throw new IllegalArgumentException("errorStatus must be between 400 and 599");
    }
    if (latency.isNegative() || latency.compareTo(MAX_LATENCY) > 0) {
      throw new IllegalArgumentException("latency must be between PT0S and " + MAX_LATENCY);
    }
    if (rateLimitPerSecond < 0) {
      throw new IllegalArgumentException("rateLimitPerSecond must not be negative (0 = no limit)");
    }
    if (retryAfterSeconds < 0) {
      throw new IllegalArgumentException("retryAfterSeconds must not be negative");
    }
  }

  /** A partial update: absent fields keep their value. */
  public record Update(
      @Nullable Double errorRate,
      @Nullable Integer errorStatus,
      @Nullable Duration latency,
      @Nullable Double lostResponseRate,
      @Nullable Integer rateLimitPerSecond,
      @Nullable Integer retryAfterSeconds,
      @Nullable Boolean outage) {}

  public FaultSettings with(Update update) {
    return new FaultSettings(
        update.errorRate() != null ? update.errorRate() : errorRate,
        update.errorStatus() != null ? update.errorStatus() : errorStatus,
        update.latency() != null ? update.latency() : latency,
        update.lostResponseRate() != null ? update.lostResponseRate() : lostResponseRate,
        update.rateLimitPerSecond() != null ? update.rateLimitPerSecond() : rateLimitPerSecond,
        update.retryAfterSeconds() != null ? update.retryAfterSeconds() : retryAfterSeconds,
        update.outage() != null ? update.outage() : outage);
  }

  private static void requireRatio(String name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1");
    }
  }
}

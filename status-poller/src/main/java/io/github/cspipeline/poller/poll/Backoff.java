package io.github.cspipeline.poller.poll;

import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Intervals between status polls: exponential from the first-poll delay up to a cap, shortened by
 * random jitter, never shorter than the server's {@code Retry-After}.
 */
public final class Backoff {

  private final Duration first;
  private final double multiplier;
  private final Duration max;
  private final double jitter;
  private final DoubleSupplier random;

  /**
   * @param random values in {@code [0, 1)}; tests pass a constant
   */
  public Backoff(
      Duration first, double multiplier, Duration max, double jitter, DoubleSupplier random) {
    if (first.isNegative() || max.isNegative() || multiplier < 1 || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException(
          "invalid backoff: first=%s, multiplier=%s, max=%s, jitter=%s"
              .formatted(first, multiplier, max, jitter));
    }
    this.first = first;
    this.multiplier = multiplier;
    this.max = max;
    this.jitter = jitter;
    this.random = random;
  }

  /**
   * How long to wait after the {@code polls}-th poll of a transfer before the next one.
   *
   * @param polls polls made so far (1 after the first)
   * @param retryAfter the server's {@code Retry-After}, if it sent one
   */
  public Duration after(int polls, @Nullable Duration retryAfter) {
    // In double, so that a long watch cannot overflow; the cap applies before the jitter, so the
    // jitter only ever shortens an interval and the cap holds.
    double exponential = first.toNanos() * Math.pow(multiplier, Math.max(0, polls));
    double capped = Math.min(exponential, (double) max.toNanos());
    double jittered = capped * (1.0 - jitter * random.getAsDouble());
    var interval = Duration.ofNanos((long) jittered);
    return retryAfter != null && retryAfter.compareTo(interval) > 0 ? retryAfter : interval;
  }
}

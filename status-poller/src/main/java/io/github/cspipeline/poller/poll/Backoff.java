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

  /**
   * How many polls a watch has made {@code age} after it started, jitter and {@code Retry-After}
   * ignored: an estimate for watches resumed after a takeover, so that an old watch goes on at the
   * capped interval instead of starting the backoff from the beginning.
   */
  public int pollsWithin(Duration age) {
    double ageNanos = age.toNanos();
    double firstNanos = first.toNanos();
    double maxNanos = max.toNanos();
    if (ageNanos < firstNanos) {
      return 0;
    }
    double at = firstNanos;
    int polls = 1;
    while (true) {
      double interval = Math.min(firstNanos * Math.pow(multiplier, polls), maxNanos);
      if (interval >= maxNanos || multiplier == 1.0) {
        // From here on the interval stays the same: count the rest at once.
        long more = interval <= 0 ? 0 : (long) ((ageNanos - at) / interval);
        return (int) Math.min(Integer.MAX_VALUE, polls + more);
      }
      if (at + interval > ageNanos) {
        return polls;
      }
      at += interval;
      polls++;
    }
  }
}

package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.CryptshareClient;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Intervals between status polls: exponential from the first-poll delay up to a cap, shortened by
 * random jitter, never shorter than the server's {@code Retry-After} up to {@link
 * #MAX_RETRY_AFTER}.
 *
 * <p>All arithmetic is in double nanoseconds, which saturate instead of overflowing: an interval,
 * an age or a {@code Retry-After} of centuries gives a long interval, never an exception.
 */
public final class Backoff {

  /**
   * The longest {@code Retry-After} the poller honours (ADR 022), as the Cryptshare client clamps
   * it: also a value from elsewhere must not overflow the schedule's time arithmetic, nor park a
   * watch or pause a server for years.
   */
  public static final Duration MAX_RETRY_AFTER = CryptshareClient.MAX_RETRY_AFTER;

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
    double exponential = nanos(first) * Math.pow(multiplier, Math.max(0, polls));
    double capped = Math.min(exponential, nanos(max));
    double jittered = capped * (1.0 - jitter * random.getAsDouble());
    var interval = Duration.ofNanos((long) jittered);
    if (retryAfter == null) {
      return interval;
    }
    var wait = clampRetryAfter(retryAfter);
    return wait.compareTo(interval) > 0 ? wait : interval;
  }

  /** A server's {@code Retry-After} held to between zero and {@link #MAX_RETRY_AFTER}. */
  public static Duration clampRetryAfter(Duration retryAfter) {
    if (retryAfter.isNegative()) {
      return Duration.ZERO;
    }
    return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
  }

  /**
   * How many polls a watch has made {@code age} after it started, jitter and {@code Retry-After}
   * ignored: an estimate for watches resumed after a takeover, so that an old watch goes on at the
   * capped interval instead of starting the backoff from the beginning.
   */
  public int pollsWithin(Duration age) {
    double ageNanos = nanos(age);
    double firstNanos = nanos(first);
    double maxNanos = nanos(max);
    if (ageNanos < firstNanos) {
      return 0;
    }
    double at = firstNanos;
    int polls = 1;
    while (true) {
      double interval = Math.min(firstNanos * Math.pow(multiplier, polls), maxNanos);
      if (interval >= maxNanos || multiplier == 1.0) {
        // From here on the interval stays the same: count the rest at once.
        double more = interval <= 0 ? 0 : (ageNanos - at) / interval;
        return (int) Math.min(Integer.MAX_VALUE, polls + more);
      }
      if (at + interval > ageNanos) {
        return polls;
      }
      at += interval;
      polls++;
    }
  }

  /** {@link Duration#toNanos()} without its overflow beyond 292 years. */
  private static double nanos(Duration duration) {
    return duration.getSeconds() * 1e9 + duration.getNano();
  }
}

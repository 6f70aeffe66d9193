package io.github.cspipeline.worker.resilience;

import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.resilience4j.core.IntervalBiFunction;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Delays between retries: exponential growth up to a cap, with "equal jitter" (the second half of
 * each delay is random) so that commands that failed together do not retry together. A longer
 * {@code Retry-After} from Cryptshare always wins.
 */
public final class RetryBackoff {

  private final Duration initial;
  private final Duration max;
  private final double multiplier;
  private final DoubleSupplier random;

  public RetryBackoff(Duration initial, Duration max, double multiplier) {
    this(initial, max, multiplier, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param random values in {@code [0, 1]}; tests pass a constant
   */
  public RetryBackoff(Duration initial, Duration max, double multiplier, DoubleSupplier random) {
    if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1.0) {
      throw new IllegalArgumentException(
          "backoff needs 0 <= initial <= max and multiplier >= 1, got %s, %s, %s"
              .formatted(initial, max, multiplier));
    }
    this.initial = initial;
    this.max = max;
    this.multiplier = multiplier;
    this.random = random;
  }

  /**
   * @param retry 1 for the first retry
   * @param retryAfter what Cryptshare asked for, if anything
   */
  public Duration delay(int retry, @Nullable Duration retryAfter) {
    double grown = initial.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
    long capped = (long) Math.min(grown, max.toMillis());
    long fixedHalf = capped / 2;
    var delay = Duration.ofMillis(fixedHalf + (long) (random.getAsDouble() * (capped - fixedHalf)));
    return retryAfter != null && retryAfter.compareTo(delay) > 0 ? retryAfter : delay;
  }

  /**
   * This backoff as resilience4j's interval function: the {@code Retry-After} of a failed answer is
   * read from the {@link CryptshareException.ErrorResponse}.
   */
  public <T> IntervalBiFunction<T> asIntervalFunction() {
    return (attempt, outcome) -> {
      Duration retryAfter = null;
      if (outcome.isLeft() && outcome.getLeft() instanceof CryptshareException.ErrorResponse r) {
        retryAfter = r.retryAfter();
      }
      return delay(attempt, retryAfter).toMillis();
    };
  }
}

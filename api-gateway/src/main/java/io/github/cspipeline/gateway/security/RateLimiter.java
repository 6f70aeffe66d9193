package io.github.cspipeline.gateway.security;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * A token bucket per caller on this instance: it holds one second's worth of requests and refills
 * continuously. With n instances behind a balancer a caller gets up to n times its rate.
 */
@Component
public class RateLimiter {

  /** JWT subjects are not configured, so the number of buckets is bounded instead. */
  private static final int MAX_BUCKETS = 10_000;

  private static final class Bucket {
    double tokens;
    long refilledAt;

    Bucket(double tokens, long refilledAt) {
      this.tokens = tokens;
      this.refilledAt = refilledAt;
    }
  }

  private final Clock clock;
  private final Map<String, Bucket> buckets =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
          return size() > MAX_BUCKETS;
        }
      };

  public RateLimiter(Clock clock) {
    this.clock = clock;
  }

  /**
   * Takes one token from the caller's bucket.
   *
   * @return empty when the request may proceed, else how long until a token is available
   */
  public Optional<Duration> acquire(Caller caller) {
    double rate = caller.requestsPerSecond();
    double capacity = Math.max(1, rate);
    long now = clock.millis();
    synchronized (buckets) {
      var bucket = buckets.computeIfAbsent(caller.name(), k -> new Bucket(capacity, now));
      long elapsed = Math.max(0, now - bucket.refilledAt);
      bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * rate / 1000.0);
      bucket.refilledAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis((long) Math.ceil((1 - bucket.tokens) * 1000 / rate)));
    }
  }
}

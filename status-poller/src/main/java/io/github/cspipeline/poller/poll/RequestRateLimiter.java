package io.github.cspipeline.poller.poll;

import java.time.Clock;
import java.time.Duration;

/**
 * At most {@code limit} request starts in any sliding window of one second (plus a guard), by the
 * injected clock. The guard keeps the count the server sees under the cap even when requests reach
 * it a little more bunched than they left.
 */
public final class RequestRateLimiter {

  private final int limit;
  private final long windowMillis;
  private final Clock clock;
  private final long[] starts;
  private int head;
  private int size;

  public RequestRateLimiter(int perSecond, Duration guard, Clock clock) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be at least 1: " + perSecond);
    }
    this.limit = perSecond;
    this.windowMillis = 1_000 + guard.toMillis();
    this.clock = clock;
    this.starts = new long[perSecond];
  }

  /** Takes a permit if one is free now; never waits. */
  public synchronized boolean tryAcquire() {
    long now = clock.millis();
    evict(now);
    if (size >= limit) {
      return false;
    }
    starts[(head + size) % starts.length] = now;
    size++;
    return true;
  }

  /** How long until a permit is free (zero when one is free now). */
  public synchronized Duration untilFree() {
    long now = clock.millis();
    evict(now);
    return size < limit ? Duration.ZERO : Duration.ofMillis(starts[head] + windowMillis - now);
  }

  /** Takes a permit, waiting (in real time) until one is free. */
  public void acquire() throws InterruptedException {
    while (!tryAcquire()) {
      var wait = untilFree();
      Thread.sleep(wait.isZero() ? Duration.ofMillis(1) : wait);
    }
  }

  public int limit() {
    return limit;
  }

  private void evict(long now) {
    while (size > 0 && starts[head] + windowMillis <= now) {
      head = (head + 1) % starts.length;
      size--;
    }
  }
}

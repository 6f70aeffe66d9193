package io.github.cspipeline.worker.resilience;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A hard cap on requests leaving in any sliding window, checked at the moment of sending. The rate
 * limiter spaces permits evenly, but a thread that got its permit may be scheduled late and then
 * leave together with the next ones; this cap keeps such bunches from pushing any sliding second
 * over the configured rate.
 */
final class SendRateCap {

  private static final double MARGIN = 1.05;

  private final int limit;
  private final long windowNanos;
  private final ArrayDeque<Long> sent = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param perSecond the rate; below 1 it becomes one request per {@code 1/perSecond} seconds
   */
  SendRateCap(double perSecond) {
    if (perSecond >= 1) {
      limit = (int) Math.floor(perSecond);
      windowNanos = (long) (TimeUnit.SECONDS.toNanos(1) * MARGIN);
    } else {
      limit = 1;
      windowNanos = (long) (TimeUnit.SECONDS.toNanos(1) * MARGIN / perSecond);
    }
  }

  /**
   * Waits until one more request fits in the window, and counts it.
   *
   * @return false when that would take longer than {@code maxWait}
   * @throws InterruptedException the work is stopping
   */
  boolean acquire(Duration maxWait) throws InterruptedException {
    long giveUp = System.nanoTime() + maxWait.toNanos();
    while (true) {
      long wait;
      lock.lockInterruptibly();
      try {
        long now = System.nanoTime();
        while (!sent.isEmpty() && now - sent.peekFirst() >= windowNanos) {
          sent.pollFirst();
        }
        if (sent.size() < limit) {
          sent.addLast(now);
          return true;
        }
        wait = sent.peekFirst() + windowNanos - now;
        if (now + wait > giveUp) {
          return false;
        }
      } finally {
        lock.unlock();
      }
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}

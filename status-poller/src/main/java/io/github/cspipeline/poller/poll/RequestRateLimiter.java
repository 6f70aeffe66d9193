package io.github.cspipeline.poller.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Holds request starts to at most {@code perSecond} in any one-second window, by the injected
 * clock: a token bucket refilled at {@code perSecond / (1 s + guard)}, holding as few tokens as
 * that leaves room for. Requests leave (nearly) evenly spaced, so they cannot reach a server as a
 * burst, and the guard is headroom for requests that arrive a little more bunched than they left:
 * the rate the server measures stays within the cap.
 */
public final class RequestRateLimiter {

  private final int perSecond;
  private final double tokensPerMicro;
  private final double capacity;
  private final Clock clock;
  private double tokens;
  private int reserved;
  private long refilledAt;

  public RequestRateLimiter(int perSecond, Duration guard, Clock clock) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be at least 1: " + perSecond);
    }
    double windowMicros = 1_000_000.0 + guard.toNanos() / 1_000.0;
    this.perSecond = perSecond;
    this.tokensPerMicro = perSecond / windowMicros;
    // A full bucket plus what refills in one second must not exceed the cap.
    this.capacity = Math.max(1, Math.floor(perSecond - tokensPerMicro * 1_000_000.0));
    this.clock = clock;
    this.tokens = 1;
    this.refilledAt = micros(clock.instant());
  }

  /** Takes a permit if one is free now (and not reserved); never waits. */
  public synchronized boolean tryAcquire() {
    refill();
    if (tokens - reserved < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /**
   * Reserves the permit of a request that is about to be sent, if one is free now: the permit is
   * taken when the request really leaves ({@link #acquireReserved}), so a sender that is slow to
   * start cannot make requests leave bunched.
   */
  public synchronized boolean tryReserve() {
    refill();
    if (tokens - reserved < 1) {
      return false;
    }
    reserved++;
    return true;
  }

  /** Gives back a reservation that was not used. */
  public synchronized void cancelReservation() {
    if (reserved > 0) {
      reserved--;
    }
  }

  /**
   * Turns a reservation into a permit, waiting (in real time) if the permit is not free yet. An
   * interrupted wait gives the reservation back: a reservation that is never used would hold a
   * permit back for good.
   */
  public void acquireReserved() throws InterruptedException {
    while (true) {
      Duration wait;
      synchronized (this) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          reserved = Math.max(0, reserved - 1);
          return;
        }
        wait = durationFor(1 - tokens);
      }
      try {
        Thread.sleep(wait.isZero() ? Duration.ofMillis(1) : wait);
      } catch (InterruptedException e) {
        cancelReservation();
        throw e;
      }
    }
  }

  /** How long until an unreserved permit is free (zero when one is free now). */
  public synchronized Duration untilFree() {
    refill();
    double missing = 1 - (tokens - reserved);
    return missing <= 0 ? Duration.ZERO : durationFor(missing);
  }

  /** Takes a permit, waiting (in real time) until one is free. */
  public void acquire() throws InterruptedException {
    while (!tryAcquire()) {
      var wait = untilFree();
      Thread.sleep(wait.isZero() ? Duration.ofMillis(1) : wait);
    }
  }

  private Duration durationFor(double missingTokens) {
    return Duration.ofNanos((long) Math.ceil(missingTokens / tokensPerMicro) * 1_000);
  }

  public int perSecond() {
    return perSecond;
  }

  private void refill() {
    long now = micros(clock.instant());
    if (now > refilledAt) {
      tokens = Math.min(capacity, tokens + (now - refilledAt) * tokensPerMicro);
      refilledAt = now;
    }
  }

  private static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
  }
}

package io.github.cspipeline.cryptshare.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Holds request starts to at most the cap in any one-second window: a token bucket refilled at
 * {@code cap / (1 s + guard)}, holding as few tokens as that leaves room for (a full bucket plus
 * what refills in a second stays within the cap). Requests leave (nearly) evenly spaced, so they
 * cannot reach a server as a burst, and the guard is headroom for requests that arrive a little
 * more bunched than they left (a thread scheduled late after taking its permit): the rate the
 * server measures in any sliding second stays within the cap.
 *
 * <p>Not resilience4j's {@code RateLimiter} (ADR 032): its fixed refresh cycles let twice the
 * permits of a cycle through around a cycle's end, it hands a permit out when it is asked for, not
 * when the request leaves, and a reservation made there cannot be given back.
 *
 * <p>A permit is taken right before the request leaves. A caller that dispatches work only when its
 * first request can leave at once reserves that permit ({@link #tryReserve}); the reservation holds
 * it back from others until it is used ({@link #acquireReserved}) or given back.
 */
public final class RequestRate {

  /**
   * Keeps the request rate the server measures under the cap although requests may reach it a
   * little more bunched than they left: permits are spaced as if a second lasted this much longer.
   */
  public static final Duration GUARD = Duration.ofMillis(100);

  private final double perSecond;
  private final double tokensPerMicro;
  private final double capacity;
  private final LongSupplier nanoTime;
  private double tokens;
  private int reserved;
  private long refilledAt;

  /**
   * @param perSecond the cap; from 1 up it counts whole requests (2.5 a second allows 2 in any
   *     second), below 1 it is one request per {@code 1 / perSecond} seconds
   * @param nanoTime a monotonic time source, {@code System::nanoTime} but in tests
   */
  public RequestRate(double perSecond, Duration guard, LongSupplier nanoTime) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
    }
    double cap = perSecond >= 1 ? Math.floor(perSecond) : perSecond;
    double windowMicros = 1_000_000.0 + guard.toNanos() / 1_000.0;
    this.perSecond = perSecond;
    this.tokensPerMicro = cap / windowMicros;
    // A full bucket plus what refills in one second must not exceed the cap.
    this.capacity = Math.max(1, Math.floor(cap - tokensPerMicro * 1_000_000.0));
    this.nanoTime = nanoTime;
    this.tokens = 1;
    this.refilledAt = micros();
  }

  /** A rate cap with the {@link #GUARD}, in real time. */
  public static RequestRate of(double perSecond) {
    return new RequestRate(perSecond, GUARD, System::nanoTime);
  }

  /** Time as a clock tells it, for callers that move time by a clock (tests). */
  public static LongSupplier nanoTimeOf(Clock clock) {
    return () -> {
      Instant now = clock.instant();
      return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    };
  }

  public double perSecond() {
    return perSecond;
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
        pause(wait);
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
      pause(untilFree());
    }
  }

  /**
   * Takes a permit, waiting (in real time) until one is free, unless that is more than {@code
   * maxWait} from now.
   *
   * @return false, at once, when the permit would come later than {@code maxWait}
   */
  public boolean acquire(Duration maxWait) throws InterruptedException {
    long giveUp = micros() + maxWait.toNanos() / 1_000;
    while (!tryAcquire()) {
      var wait = untilFree();
      if (micros() + wait.toNanos() / 1_000 > giveUp) {
        return false;
      }
      pause(wait);
    }
    return true;
  }

  private static void pause(Duration wait) throws InterruptedException {
    Thread.sleep(wait.isZero() ? Duration.ofMillis(1) : wait);
  }

  private Duration durationFor(double missingTokens) {
    return Duration.ofNanos((long) Math.ceil(missingTokens / tokensPerMicro) * 1_000);
  }

  private void refill() {
    long now = micros();
    if (now > refilledAt) {
      tokens = Math.min(capacity, tokens + (now - refilledAt) * tokensPerMicro);
      refilledAt = now;
    }
  }

  private long micros() {
    return nanoTime.getAsLong() / 1_000;
  }
}

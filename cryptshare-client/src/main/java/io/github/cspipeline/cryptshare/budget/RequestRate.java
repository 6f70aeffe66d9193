package io.github.cspipeline.cryptshare.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Holds request starts to at most the cap in any one-second window: a token bucket refilled at
 * {@code cap / (1 s + guard)}, holding as few tokens as that leaves room for (a full bucket plus
 * what refills in a second stays within the cap). Requests leave (nearly) evenly spaced, so they
 * cannot reach a server as a burst, and the guard is headroom for requests that arrive a little
 * more bunched than they left (a thread scheduled late after taking its permit): the rate the
 * server measures in any sliding second stays within the cap.
 *
 * <p>Spacing alone cannot keep that promise under load: a request may take any time between its
 * permit and the moment the server counts it (a thread descheduled, a pool lease, the server's own
 * accept queue), so requests that left 110 ms apart may be counted a few ms apart. What the client
 * does know is that the server counted a request after its permit and before its answer came back.
 * So a request that is sent through {@link #acquire()} or {@link #acquireReserved()} and reports
 * its end ({@link Permit#ended()}) holds one of {@code cap} slots from its permit until one second
 * after its end; a permit needs a free slot. Whatever the delays, any {@code cap + 1} requests are
 * then counted more than a second apart. Any free slot will do: a request that hangs until its
 * timeout holds only its own slot, it does not stop the others. A request whose answer never came
 * (a timeout) ends when the client gives up: if the server counts it later still, that is beyond
 * what a client can see. Permits taken by {@link #tryAcquire} report no end and count as ended when
 * granted (spacing only).
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

  /** The permit of one request that reports its end; hold it until the answer is in. */
  public static final class Permit {

    /** The permit of a request without a rate cap: nothing to end. */
    public static final Permit NONE = new Permit(null);

    private final @Nullable RequestRate rate;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Permit(@Nullable RequestRate rate) {
      this.rate = rate;
    }

    /**
     * The request's answer is in (or it failed): its slot frees one window from now. Only the first
     * call counts.
     */
    public void ended() {
      if (rate != null && ended.compareAndSet(false, true)) {
        rate.ended();
      }
    }
  }

  private final double perSecond;
  private final LongSupplier nanoTime;

  // The token bucket (spacing).
  private final double tokensPerMicro;
  private final double capacity;
  private double tokens;
  private int reserved;
  private long refilledAt;

  /** At most this many requests reach the server in any window of {@link #windowMicros}. */
  private final int slots;

  private final long windowMicros;

  /** Requests whose permit was taken and whose end is not reported yet: each holds a slot. */
  private int inFlight;

  /**
   * When the requests that ended within the last window ended (micros, in the order they ended, a
   * ring of {@link #slots}): each holds a slot until a window after its end.
   */
  private final long[] ends;

  private int firstEnd;
  private int endCount;

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
    // cap requests per second from 1 up; below 1, one request per 1 / cap seconds.
    this.slots = (int) Math.max(1, cap);
    this.ends = new long[slots];
    this.windowMicros = (long) Math.ceil(slots / cap * 1_000_000.0);
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
    if (!unreservedPermitFree()) {
      return false;
    }
    tokens -= 1;
    addEnd(micros());
    return true;
  }

  /**
   * Reserves the permit of a request that is about to be sent, if one is free now: the permit is
   * taken when the request really leaves ({@link #acquireReserved}), so a sender that is slow to
   * start cannot make requests leave bunched.
   */
  public synchronized boolean tryReserve() {
    if (!unreservedPermitFree()) {
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
  public Permit acquireReserved() throws InterruptedException {
    while (true) {
      Duration wait;
      synchronized (this) {
        refill();
        if (tokens >= 1 && slotWait() == 0) {
          tokens -= 1;
          reserved = Math.max(0, reserved - 1);
          inFlight++;
          return new Permit(this);
        }
        wait = longest(durationFor(1 - tokens), slotWait());
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
    return longest(missing <= 0 ? Duration.ZERO : durationFor(missing), slotWait());
  }

  /**
   * Takes the permit of a request that reports its end, waiting (in real time) until one is free.
   */
  public Permit acquire() throws InterruptedException {
    return acquireBy(Long.MAX_VALUE);
  }

  /**
   * Takes the permit of a request that reports its end, waiting (in real time) until one is free,
   * unless that is more than {@code maxWait} from now.
   *
   * @return null, at once, when the permit would come later than {@code maxWait}
   */
  public @Nullable Permit acquire(Duration maxWait) throws InterruptedException {
    return acquireBy(micros() + maxWait.toNanos() / 1_000);
  }

  private @Nullable Permit acquireBy(long giveUpMicros) throws InterruptedException {
    while (true) {
      Duration wait;
      synchronized (this) {
        if (unreservedPermitFree()) {
          tokens -= 1;
          inFlight++;
          return new Permit(this);
        }
        wait = untilFree();
      }
      if (giveUpMicros != Long.MAX_VALUE && micros() + wait.toNanos() / 1_000 > giveUpMicros) {
        return null;
      }
      pause(wait);
    }
  }

  /** Whether a token not held back by a reservation and a slot are free now. */
  private boolean unreservedPermitFree() {
    refill();
    return tokens - reserved >= 1 && slotWait() == 0;
  }

  private synchronized void ended() {
    inFlight--;
    addEnd(micros());
  }

  /**
   * Micros until a slot is free: none is while {@link #slots} requests are in flight or ended
   * within the last window. With all of them in flight, at least a window (the soonest one could
   * free).
   */
  private long slotWait() {
    long now = micros();
    while (endCount > 0 && ends[firstEnd] + windowMicros <= now) {
      firstEnd = (firstEnd + 1) % slots;
      endCount--;
    }
    if (inFlight + endCount < slots) {
      return 0;
    }
    return endCount == 0 ? windowMicros : ends[firstEnd] + windowMicros - now;
  }

  /** A request ended (or, without an end to report, left) at {@code micros}: its slot is held. */
  private void addEnd(long micros) {
    if (inFlight + endCount >= slots) {
      // Only callers that checked slotWait() get here; a full ring would mean a bookkeeping bug.
      throw new IllegalStateException("no free slot");
    }
    ends[(firstEnd + endCount) % slots] = micros;
    endCount++;
  }

  private static Duration longest(Duration wait, long micros) {
    var slotWait = Duration.ofNanos(micros * 1_000);
    return slotWait.compareTo(wait) > 0 ? slotWait : wait;
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

package io.github.cspipeline.cryptshare.budget;

import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What one Cryptshare server (origin) takes from a client: requests in flight at most the
 * bulkhead's limit, and request starts within the {@link RequestRate} in any sliding second.
 *
 * <p>Two ways in. A caller that sends one request at a time waits for a slot ({@link
 * #concurrency()}) and then for a permit right before sending ({@link #awaitPermit}). A caller that
 * dispatches work only when it can start at once takes a {@link Reservation} ({@link #tryReserve}):
 * a slot and the reserved permit of the work's first request, released by closing it, whichever way
 * the work ends.
 */
public final class RequestBudget {

  private static final ThreadLocal<Reservation> RESERVED = new ThreadLocal<>();

  private final @Nullable RequestRate rate;
  private final Bulkhead concurrency;

  /**
   * @param rate the rate cap; null for none
   * @param concurrency the slots for requests in flight; its {@code maxWaitDuration} is also how
   *     long {@link #awaitPermit} waits for a permit
   */
  public RequestBudget(@Nullable RequestRate rate, Bulkhead concurrency) {
    this.rate = rate;
    this.concurrency = concurrency;
  }

  public @Nullable RequestRate rate() {
    return rate;
  }

  /** The bulkhead; its name is the (first) server id of the origin. */
  public Bulkhead concurrency() {
    return concurrency;
  }

  /** Slots taken right now. */
  public int inFlight() {
    return concurrency.getBulkheadConfig().getMaxConcurrentCalls()
        - concurrency.getMetrics().getAvailableConcurrentCalls();
  }

  /** How long until an unreserved permit is free (zero when one is free now, or no rate cap). */
  public Duration untilFree() {
    return rate == null ? Duration.ZERO : rate.untilFree();
  }

  /**
   * Takes a permit to send one request now, waiting at most the bulkhead's {@code maxWaitDuration}.
   *
   * @return the permit, whose {@link RequestRate.Permit#ended()} the caller calls once the answer
   *     is in ({@link RequestRate.Permit#NONE} without a rate cap); null when it would come later
   * @throws InterruptedException the work is stopping
   */
  public RequestRate.@Nullable Permit awaitPermit() throws InterruptedException {
    return rate == null
        ? RequestRate.Permit.NONE
        : rate.acquire(concurrency.getBulkheadConfig().getMaxWaitDuration());
  }

  /**
   * A slot and the reserved permit of a first request, if both are free now; never waits.
   *
   * @return null when either is not free
   */
  public @Nullable Reservation tryReserve() {
    if (!concurrency.tryAcquirePermission()) {
      return null;
    }
    if (rate != null && !rate.tryReserve()) {
      concurrency.onComplete();
      return null;
    }
    return new Reservation();
  }

  /**
   * Right before a request to this budget's origin leaves ({@code budget}, or null for an origin
   * without budget): takes the permit the thread reserved for it, or else waits for one. A
   * reservation of another budget is given back.
   *
   * @return the permit, whose {@link RequestRate.Permit#ended()} the caller calls once the answer
   *     is in ({@link RequestRate.Permit#NONE} without a rate cap)
   */
  static RequestRate.Permit beforeSend(@Nullable RequestBudget budget) throws InterruptedException {
    var reservation = RESERVED.get();
    RESERVED.remove();
    var rate = budget == null ? null : budget.rate;
    if (reservation != null) {
      if (rate != null && reservation.budget() == budget && reservation.takePermit()) {
        return rate.acquireReserved();
      }
      reservation.releasePermit();
    }
    return rate == null ? RequestRate.Permit.NONE : rate.acquire();
  }

  /**
   * A slot and the reserved permit of the first request of some work. Closing it gives back what
   * the work did not use; each is given back once, however often and from wherever it is closed.
   */
  public final class Reservation implements AutoCloseable {
    private final AtomicBoolean slotHeld = new AtomicBoolean(true);
    private final AtomicBoolean permitHeld = new AtomicBoolean(rate != null);

    private Reservation() {}

    /**
     * Runs the work's requests: the first one sent on this thread through a {@link RequestBudgets}
     * uses the reserved permit; a permit not used by then is given back.
     */
    public <T> T use(Supplier<T> requests) {
      RESERVED.set(this);
      try {
        return requests.get();
      } finally {
        if (RESERVED.get() == this) {
          RESERVED.remove();
        }
        releasePermit();
      }
    }

    /** Gives the slot back, e.g. when the work's requests are done but the work is not. */
    public void releaseSlot() {
      if (slotHeld.compareAndSet(true, false)) {
        concurrency.onComplete();
      }
    }

    @Override
    public void close() {
      releaseSlot();
      releasePermit();
    }

    RequestBudget budget() {
      return RequestBudget.this;
    }

    private boolean takePermit() {
      return permitHeld.compareAndSet(true, false);
    }

    private void releasePermit() {
      if (takePermit() && rate != null) {
        rate.cancelReservation();
      }
    }
  }
}

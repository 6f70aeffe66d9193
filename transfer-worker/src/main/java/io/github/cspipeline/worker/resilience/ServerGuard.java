package io.github.cspipeline.worker.resilience;

import io.github.cspipeline.cryptshare.CallGuard;
import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.cryptshare.budget.RequestRate;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Everything between the worker and one Cryptshare server: every request waits for a slot and a
 * rate permit of the server's {@link RequestBudget} (shared with the other server ids on its
 * origin), then passes the circuit breaker; its outcome feeds the breaker. The worker asks it,
 * before each attempt, to wait while the circuit is open, so that an outage costs a few trial calls
 * instead of every transfer's retries.
 */
public final class ServerGuard implements CallGuard {

  /** Why the guard did not send a request; the cause of the {@code Unreachable} it throws. */
  public static final class NotSent extends RuntimeException {
    /** Whether the circuit was open (or had no trial call left). */
    private final boolean circuitOpen;

    NotSent(String message, boolean circuitOpen, @Nullable Throwable cause) {
      super(message, cause, false, false);
      this.circuitOpen = circuitOpen;
    }

    public boolean circuitOpen() {
      return circuitOpen;
    }
  }

  private static final Duration RECHECK = Duration.ofSeconds(1);

  private final String server;
  private final CircuitBreaker circuitBreaker;
  private final RequestBudget budget;
  private final Retry retry;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition transition = lock.newCondition();

  public ServerGuard(
      String server,
      CircuitBreaker circuitBreaker,
      RequestBudget budget,
      Retry retry,
      Clock clock) {
    this.server = server;
    this.circuitBreaker = circuitBreaker;
    this.budget = budget;
    this.retry = retry;
    this.clock = clock;
    circuitBreaker.getEventPublisher().onStateTransition(event -> signalTransition());
  }

  public String server() {
    return server;
  }

  public CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  /** The request budget of the server's origin. */
  public RequestBudget budget() {
    return budget;
  }

  /** The retry policy of this server; one context per transfer. */
  public Retry retry() {
    return retry;
  }

  /** Whether the circuit lets no call through right now. */
  public boolean isOpen() {
    var state = circuitBreaker.getState();
    return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
  }

  /**
   * Waits while the circuit is open.
   *
   * @return false when {@code deadline} came first
   * @throws InterruptedException the work is stopping
   */
  public boolean awaitNotOpen(Instant deadline) throws InterruptedException {
    while (isOpen()) {
      var left = Duration.between(clock.instant(), deadline);
      if (left.isNegative() || left.isZero()) {
        return false;
      }
      awaitTransition(left);
    }
    return true;
  }

  /**
   * Waits for the circuit's next change of state, at most {@code max} (and never longer than a
   * second, so that a missed signal costs little).
   */
  public void awaitTransition(Duration max) throws InterruptedException {
    var wait = max.compareTo(RECHECK) < 0 ? max : RECHECK;
    lock.lockInterruptibly();
    try {
      transition.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      lock.unlock();
    }
  }

  private void signalTransition() {
    lock.lock();
    try {
      transition.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T> T call(Supplier<T> request) {
    var bulkhead = budget.concurrency();
    try {
      bulkhead.acquirePermission();
    } catch (RuntimeException e) {
      throw notSent("no free call slot (bulkhead)", false, e);
    }
    try {
      // After the bulkhead: a request that got its rate permit leaves at once, so that requests
      // freed together from a full bulkhead cannot burst past the rate. The permit is held until
      // the answer is in: the budget counts the request until a second after that, whenever the
      // server counted it (RequestRate).
      var permit = awaitRatePermit();
      try {
        if (!circuitBreaker.tryAcquirePermission()) {
          throw notSent(
              "circuit is " + circuitBreaker.getState(),
              true,
              CallNotPermittedException.createCallNotPermittedException(circuitBreaker));
        }
        var stopSwitch = StopSwitch.current();
        if (stopSwitch != null && !stopSwitch.enterCritical()) {
          circuitBreaker.releasePermission();
          throw notSent("the work is stopping", false, null);
        }
        long start = System.nanoTime();
        try {
          var answer = request.get();
          circuitBreaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          return answer;
        } catch (CryptshareException e) {
          record(e, System.nanoTime() - start);
          throw e;
        } catch (RuntimeException e) {
          circuitBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
          throw e;
        } finally {
          if (stopSwitch != null) {
            stopSwitch.exitCritical();
          }
        }
      } finally {
        permit.ended();
      }
    } finally {
      bulkhead.onComplete();
    }
  }

  private RequestRate.Permit awaitRatePermit() {
    try {
      var permit = budget.awaitPermit();
      if (permit == null) {
        throw notSent("no rate permit in time", false, null);
      }
      return permit;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw notSent("interrupted while waiting for the rate window", false, e);
    }
  }

  private void record(CryptshareException e, long nanos) {
    switch (classify(e)) {
      case FAILURE -> circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS, e);
      case SUCCESS -> circuitBreaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
      case IGNORED -> circuitBreaker.releasePermission();
    }
  }

  enum Judgement {
    SUCCESS,
    FAILURE,
    IGNORED
  }

  /**
   * How a failed request reflects on the server's health ({@link CryptshareException.Kind}): no
   * answer or a server error is a failure; a refusal (4xx) proves the server works; 429 is the
   * server protecting itself, and its {@code Retry-After} is honoured anyway.
   */
  static Judgement classify(CryptshareException e) {
    var kind = e.kind();
    if (kind == CryptshareException.Kind.RATE_LIMITED) {
      return Judgement.IGNORED;
    }
    return kind.isUnhealthy() ? Judgement.FAILURE : Judgement.SUCCESS;
  }

  private CryptshareException.Unreachable notSent(
      String why, boolean circuitOpen, @Nullable Throwable cause) {
    if (Thread.currentThread().isInterrupted() && cause != null) {
      // The wait was cut short by a stop; keep the flag for the caller's next wait.
      Thread.currentThread().interrupt();
    }
    return new CryptshareException.Unreachable(server, new NotSent(why, circuitOpen, cause));
  }

  /** The guard's refusal in a failure, if that is what it is. */
  public static @Nullable NotSent notSentCause(CryptshareException e) {
    return e instanceof CryptshareException.Unreachable && e.getCause() instanceof NotSent n
        ? n
        : null;
  }
}

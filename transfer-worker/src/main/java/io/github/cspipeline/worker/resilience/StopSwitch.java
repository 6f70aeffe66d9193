package io.github.cspipeline.worker.resilience;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The stop switch of one transfer's work. Stopping interrupts the work's thread while it waits
 * (backoff, rate permit, circuit), but never while it is in a critical section: a request in flight
 * to Cryptshare, or the publication of a decision. An interrupted finalize request would leave its
 * outcome unknown to the next owner of the transfer, which might then finalize a second time.
 */
public final class StopSwitch {

  private static final ThreadLocal<StopSwitch> CURRENT = new ThreadLocal<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final CountDownLatch ended = new CountDownLatch(1);
  private @Nullable Thread thread;
  private boolean stopping;
  private boolean critical;

  /** The switch of the work running on this thread, if any. */
  public static @Nullable StopSwitch current() {
    return CURRENT.get();
  }

  /** Binds the switch to the calling thread, which runs the work until {@link #ended()}. */
  public void bind() {
    lock.lock();
    try {
      thread = Thread.currentThread();
      CURRENT.set(this);
      if (stopping) {
        thread.interrupt();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Called by the work's thread when it is done, decided or not. */
  public void ended() {
    lock.lock();
    try {
      CURRENT.remove();
      thread = null;
    } finally {
      lock.unlock();
    }
    ended.countDown();
  }

  public boolean isStopping() {
    lock.lock();
    try {
      return stopping;
    } finally {
      lock.unlock();
    }
  }

  /** Asks the work to stop: at once while it waits, after the critical section otherwise. */
  public void stop() {
    lock.lock();
    try {
      stopping = true;
      if (!critical && thread != null) {
        thread.interrupt();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Enters a section that must not be interrupted, such as sending a request.
   *
   * @return false when the work is stopping: the section must not start
   */
  public boolean enterCritical() {
    lock.lock();
    try {
      if (stopping) {
        return false;
      }
      critical = true;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Enters a critical section even when stopping: publishing a decision already made. */
  public void enterCriticalAnyway() {
    lock.lock();
    try {
      critical = true;
      // A stop that came just before must not abort the publication.
      Thread.interrupted();
    } finally {
      lock.unlock();
    }
  }

  public void exitCritical() {
    lock.lock();
    try {
      critical = false;
      if (stopping && Thread.currentThread() == thread) {
        // Let the next wait notice the stop at once.
        thread.interrupt();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * @return whether the work ended within {@code timeout}
   */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  public boolean hasEnded() {
    return ended.getCount() == 0;
  }
}

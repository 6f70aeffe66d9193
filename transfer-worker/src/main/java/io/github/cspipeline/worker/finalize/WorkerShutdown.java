package io.github.cspipeline.worker.finalize;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * Ends retry pauses when the application stops, so that in-flight commands give up quickly and are
 * left uncommitted for redelivery, instead of holding the consumer until the retry budget is spent.
 */
public final class WorkerShutdown implements Pauser, SmartLifecycle {

  private volatile CountDownLatch stopping = new CountDownLatch(1);
  private volatile boolean running;

  @Override
  public void pause(Duration duration) throws InterruptedException {
    if (stopping.await(duration.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new InterruptedException("the worker is stopping");
    }
  }

  /** Whether new work should not start any more. */
  public boolean isStopping() {
    return stopping.getCount() == 0;
  }

  @Override
  public void start() {
    if (isStopping()) {
      stopping = new CountDownLatch(1);
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    stopping.countDown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  // Stops before the listener containers (higher phases stop first), so that the listener can
  // return while the container still commits what is done.
  @Override
  public int getPhase() {
    return AbstractMessageListenerContainer.DEFAULT_PHASE + 1;
  }
}

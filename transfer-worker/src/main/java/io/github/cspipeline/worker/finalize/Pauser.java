package io.github.cspipeline.worker.finalize;

import java.time.Duration;

/** Waits between retries; a stop interrupts the wait. Tests move a clock instead. */
@FunctionalInterface
public interface Pauser {

  /** Sleeps. */
  Pauser SLEEP = Thread::sleep;

  /**
   * @throws InterruptedException the work is stopping
   */
  void pause(Duration duration) throws InterruptedException;
}

package io.github.cspipeline.worker.finalize;

import java.time.Duration;

/** Waits between retries; lets a shutdown cut the wait short. */
@FunctionalInterface
public interface Pauser {

  /**
   * @throws InterruptedException the worker is stopping (or the thread was interrupted): the caller
   *     must give up without deciding anything
   */
  void pause(Duration duration) throws InterruptedException;
}

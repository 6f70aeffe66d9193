package io.github.cspipeline.chaos;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A driver's progress lines on standard output, each stamped with the seconds since the run began,
 * and its waits that report while they last.
 */
final class RunLog {

  private final String prefix;
  private final long started = System.nanoTime();

  /** {@code prefix}: the stamp's format for the seconds, e.g. {@code "[chaos %5.1fs] "}. */
  RunLog(String prefix) {
    this.prefix = prefix;
  }

  void log(String format, @Nullable Object... args) {
    System.out.printf(
        prefix + "%s%n", (System.nanoTime() - started) / 1e9, String.format(format, args));
  }

  /** Whole seconds since the run began. */
  long seconds() {
    return (System.nanoTime() - started) / 1_000_000_000L;
  }

  /**
   * Checks {@code done} every {@code poll} until it holds or {@code timeout} passed, and calls
   * {@code progress} every {@code every} meanwhile.
   *
   * @return whether {@code done} held
   */
  static boolean await(
      BooleanSupplier done, Duration timeout, Duration poll, Duration every, Runnable progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastProgress = System.nanoTime();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(poll.toMillis());
      if (System.nanoTime() - lastProgress >= every.toNanos()) {
        lastProgress = System.nanoTime();
        progress.run();
      }
    }
    return true;
  }
}

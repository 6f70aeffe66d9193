package io.github.cspipeline.simulator.stats;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * How many finalize POSTs and status GETs reached the simulator for one tracking id, and the W3C
 * {@code traceparent} header of the last finalize.
 */
public final class CallCounts {

  private static final AtomicIntegerFieldUpdater<CallCounts> FINALIZE =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "finalizeCalls");
  private static final AtomicIntegerFieldUpdater<CallCounts> STATUS =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "statusCalls");

  // Field updaters instead of two AtomicIntegers: one small object per tracking id.
  private volatile int finalizeCalls;
  private volatile int statusCalls;
  private volatile @Nullable String lastFinalizeTraceparent;

  public static final CallCounts NONE = new CallCounts();

  void finalizeCalled(@Nullable String traceparent) {
    lastFinalizeTraceparent = traceparent;
    FINALIZE.incrementAndGet(this);
  }

  void statusCalled() {
    STATUS.incrementAndGet(this);
  }

  public int finalizeCalls() {
    return finalizeCalls;
  }

  public int statusCalls() {
    return statusCalls;
  }

  /** The {@code traceparent} header of the last finalize POST as it arrived, or null without. */
  public @Nullable String lastFinalizeTraceparent() {
    return lastFinalizeTraceparent;
  }
}

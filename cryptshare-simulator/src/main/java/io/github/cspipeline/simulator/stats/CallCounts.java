package io.github.cspipeline.simulator.stats;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** How many finalize POSTs and status GETs reached the simulator for one tracking id. */
public final class CallCounts {

  private static final AtomicIntegerFieldUpdater<CallCounts> FINALIZE =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "finalizeCalls");
  private static final AtomicIntegerFieldUpdater<CallCounts> STATUS =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "statusCalls");

  // Field updaters instead of two AtomicIntegers: one small object per tracking id.
  private volatile int finalizeCalls;
  private volatile int statusCalls;

  public static final CallCounts NONE = new CallCounts();

  void finalizeCalled() {
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
}

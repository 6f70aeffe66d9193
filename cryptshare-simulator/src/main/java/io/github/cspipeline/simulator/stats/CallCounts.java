package io.github.cspipeline.simulator.stats;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * How many finalize POSTs and status GETs reached the simulator for one tracking id, and the W3C
 * {@code traceparent} headers of the last finalize and of the last status GET.
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
  private volatile @Nullable String lastStatusTraceparent;

  public static final CallCounts NONE = new CallCounts();

  void finalizeCalled(@Nullable String traceparent) {
    lastFinalizeTraceparent = traceparent;
    FINALIZE.incrementAndGet(this);
  }

  void statusCalled(@Nullable String traceparent) {
    lastStatusTraceparent = traceparent;
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

  /** The {@code traceparent} header of the last status GET as it arrived, or null without. */
  public @Nullable String lastStatusTraceparent() {
    return lastStatusTraceparent;
  }
}

package io.github.cspipeline.simulator.stats;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * How many finalize POSTs and status GETs reached the simulator for one tracking id, how each
 * finalize ended, the sender the last finalize named, and the W3C {@code traceparent} headers of
 * the last finalize and of the last status GET.
 */
public final class CallCounts {

  private static final AtomicIntegerFieldUpdater<CallCounts> FINALIZE =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "finalizeCalls");
  private static final AtomicIntegerFieldUpdater<CallCounts> STATUS =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "statusCalls");
  private static final AtomicIntegerFieldUpdater<CallCounts> CREATED =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "created");
  private static final AtomicIntegerFieldUpdater<CallCounts> REFUSED =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "refused");
  private static final AtomicIntegerFieldUpdater<CallCounts> NOT_FOUND =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "notFound");
  private static final AtomicIntegerFieldUpdater<CallCounts> ANSWER_LOST =
      AtomicIntegerFieldUpdater.newUpdater(CallCounts.class, "answerLost");

  /** Finalize calls by outcome; their sum is the finalize calls that have ended. */
  public record Outcomes(int created, int refused, int notFound, int answerLost) {

    /** The calls that really finalized the session, whether or not the caller heard of it. */
    public int effective() {
      return created + answerLost;
    }
  }

  // Field updaters instead of AtomicIntegers: one small object per tracking id.
  private volatile int finalizeCalls;
  private volatile int statusCalls;
  private volatile int created;
  private volatile int refused;
  private volatile int notFound;
  private volatile int answerLost;
  private volatile @Nullable String lastFinalizeSender;
  private volatile @Nullable String lastFinalizeTraceparent;
  private volatile @Nullable String lastStatusTraceparent;

  public static final CallCounts NONE = new CallCounts();

  void finalizeCalled(@Nullable String sender, @Nullable String traceparent) {
    lastFinalizeSender = sender;
    lastFinalizeTraceparent = traceparent;
    FINALIZE.incrementAndGet(this);
  }

  void statusCalled(@Nullable String traceparent) {
    lastStatusTraceparent = traceparent;
    STATUS.incrementAndGet(this);
  }

  void finalizeEnded(FinalizeOutcome outcome) {
    switch (outcome) {
      case CREATED -> CREATED.incrementAndGet(this);
      case REFUSED -> REFUSED.incrementAndGet(this);
      case NOT_FOUND -> NOT_FOUND.incrementAndGet(this);
      case ANSWER_LOST -> ANSWER_LOST.incrementAndGet(this);
    }
  }

  /** Every finalize POST that arrived, also one still running or refused by a fault. */
  public int finalizeCalls() {
    return finalizeCalls;
  }

  public int statusCalls() {
    return statusCalls;
  }

  public Outcomes finalizeOutcomes() {
    return new Outcomes(created, refused, notFound, answerLost);
  }

  /** The sender named in the path of the last finalize POST, or null before any. */
  public @Nullable String lastFinalizeSender() {
    return lastFinalizeSender;
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

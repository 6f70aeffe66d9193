package io.github.cspipeline.simulator.stats;

import jakarta.servlet.ServletRequest;

/**
 * How one finalize call ended, counted once per call: whether it took effect (finalized the
 * session) and whether its answer reached the caller.
 */
public enum FinalizeOutcome {
  /** Took effect and 201 was sent. */
  CREATED,
  /** Answered with an error other than 404, without effect (also injected faults). */
  REFUSED,
  /** Answered 404, without effect, e.g. because the session is already finalized. */
  NOT_FOUND,
  /** Took effect, but the answer was dropped (lost-response fault). */
  ANSWER_LOST;

  private static final String TOOK_EFFECT = FinalizeOutcome.class.getName() + ".tookEffect";

  /**
   * @param tookEffect whether the call finalized the session
   * @param answerLost whether the answer was dropped before it reached the caller
   * @param status the HTTP status of the answer (sent or dropped)
   */
  public static FinalizeOutcome of(boolean tookEffect, boolean answerLost, int status) {
    if (tookEffect) {
      return answerLost ? ANSWER_LOST : CREATED;
    }
    // A dropped answer of a call without effect counts by the status it would have had: the
    // caller's retry is not a second finalize either way.
    return status == 404 ? NOT_FOUND : REFUSED;
  }

  /** Called by the finalize endpoint once the session is finalized, before it answers. */
  public static void markTookEffect(ServletRequest request) {
    request.setAttribute(TOOK_EFFECT, Boolean.TRUE);
  }

  public static boolean tookEffect(ServletRequest request) {
    return request.getAttribute(TOOK_EFFECT) != null;
  }
}

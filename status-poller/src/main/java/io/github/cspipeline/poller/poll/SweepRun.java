package io.github.cspipeline.poller.poll;

import java.util.ArrayList;
import java.util.List;

/** A sweep of one sender's list, which due watches of that sender join instead of polling. */
final class SweepRun {
  final Claim trigger;
  private final List<Claim> joiners = new ArrayList<>();
  private boolean closed;

  SweepRun(Claim trigger) {
    this.trigger = trigger;
  }

  synchronized boolean join(Claim claimed) {
    if (closed) {
      return false;
    }
    joiners.add(claimed);
    return true;
  }

  /** The joiners, once: a run is closed once, whoever closes it first. */
  synchronized List<Claim> close() {
    if (closed) {
      return List.of();
    }
    closed = true;
    return List.copyOf(joiners);
  }
}

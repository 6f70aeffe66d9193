package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A watch claimed for a poll. It is handed on exactly once: to the {@link TransferPoller} with what
 * the poll learnt, or back into the schedule. Whatever fails on the way, the poll's last step
 * ({@link #retryLaterIfHeld}) puts a watch that was not handed on back with a backoff, so no
 * failure in the poll path can leave a watch claimed for good.
 */
final class Claim {
  final Watch watch;
  private final TransferPoller poller;
  private final WatchIndex watches;
  private final AtomicBoolean handedOn = new AtomicBoolean();

  Claim(Watch watch, TransferPoller poller, WatchIndex watches) {
    this.watch = watch;
    this.poller = poller;
    this.watches = watches;
  }

  void act(PollOutcome outcome) {
    if (take()) {
      poller.act(watch, outcome);
    }
  }

  void actOnListed(String state) {
    if (take()) {
      poller.actOnListed(watch, state);
    }
  }

  /** Due again at once, for a status request of its own rather than another sweep. */
  void statusRequestNext() {
    if (take()) {
      watches.awaitStatusRequest(watch);
      poller.dueNow(watch);
    }
  }

  /** Its server is not configured here and its grace passed: it ends ABANDONED. */
  void serverNotConfigured() {
    if (take()) {
      poller.serverNotConfigured(watch);
    }
  }

  /** Back into the schedule as it was: the poll did not start. */
  void putBack() {
    if (take()) {
      watches.release(watch);
    }
  }

  void retryLaterIfHeld(@Nullable Throwable cause) {
    if (take()) {
      poller.retryLater(watch, cause);
    }
  }

  private boolean take() {
    return handedOn.compareAndSet(false, true);
  }
}

/** A sweep of one sender's list, which due watches of that sender join instead of polling. */

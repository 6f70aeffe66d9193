package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.watch.Watch;

/** Asks Cryptshare about watched transfers. Never throws: every failure is an outcome. */
public interface StatusSource {

  /** One status poll of one transfer. */
  PollOutcome check(Watch watch);

  /** One page of a sender's transfer list (1-based), newest first. */
  default ListOutcome list(String server, String sender, int page, int pageSize) {
    return new ListOutcome.Failed(new PollOutcome.Failed("listing transfers is not supported"));
  }
}

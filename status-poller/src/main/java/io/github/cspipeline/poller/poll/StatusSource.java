package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.watch.Watch;

/** Asks Cryptshare for the status of a watched transfer. */
@FunctionalInterface
public interface StatusSource {

  /** One status poll; never throws, every failure is an outcome. */
  PollOutcome check(Watch watch);
}

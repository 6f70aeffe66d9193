package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import java.time.Clock;
import java.util.concurrent.Executor;

/** What the {@link PollScheduler}'s server lanes and their polls work with. */
record Polling(
    WatchIndex watches,
    TransferPoller poller,
    SenderSweep sweep,
    PollScheduler.Bulk bulk,
    Clock clock,
    Executor pollExecutor,
    PollerMetrics metrics,
    PollTracing tracing) {

  /** Bounds the dispatch work of one pass; what is left is due at the next. */
  static final int MAX_STARTS_PER_PASS = 10_000;

  Claim claim(Watch claimed) {
    return new Claim(claimed, poller, watches);
  }
}

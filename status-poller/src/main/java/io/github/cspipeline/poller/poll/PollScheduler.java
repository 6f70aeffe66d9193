package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.cryptshare.budget.RequestBudgets;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.WatchIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the polls that are due, per Cryptshare server ({@link ServerLane}), within that server's
 * {@link RequestBudget}: a slot for requests in flight and the rate cap's permit for its first
 * request, which the poll reserves when it is dispatched ({@link RequestBudget.Reservation}). A due
 * poll starts only when both are free; the rest stays due, so waiting costs no thread. A {@code
 * Retry-After} from a server pauses all polls of that server until it passed, for at most {@link
 * Backoff#MAX_RETRY_AFTER}.
 *
 * <p>A claimed watch is handed on exactly once, whatever fails in its poll: a failure anywhere in
 * the poll path (a bug, a failing meter) puts the watch back with a backoff and gives its server's
 * capacity back, and a failure while dispatching one server holds up neither that server's next
 * pass nor any other server. What the scheduler remembers per sender and per watch lives in the
 * {@link WatchIndex}, and goes with the sender's last watch.
 *
 * <p>A ticker looks at the schedules every {@code tick}, and every finished poll looks again at its
 * server, so a server's capacity is used as soon as it frees up. Whether a poll is due is decided
 * by the injected clock: tests call {@link #dispatchDue()} after moving their clock.
 *
 * <p>When a due watch's sender has at least {@code bulkMinWatched} watches on the server, the poll
 * becomes a {@link SenderSweep} of the sender's transfer list, which settles all of them that it
 * shows. Watches the list shows in a terminal state, and watches it does not show, get a status
 * request of their own next.
 *
 * <p>Every poll runs on its own thread in a span of the watch's trace ({@link PollTracing}): the
 * status request, the decision, its log lines and a terminal event belong to the transfer's trace.
 * A sweep's list requests run in a span of the trigger watch's trace; each watch the list settles
 * is acted on in a span of its own trace, linked to the sweep's.
 */
public final class PollScheduler implements SmartLifecycle {

  /** Bulk reconciliation settings. */
  public record Bulk(boolean enabled, int minWatchedPerSender) {}

  private static final Logger log = LoggerFactory.getLogger(PollScheduler.class);

  private final WatchIndex watches;
  private final RequestBudgets budgets;
  private final Clock clock;
  private final Duration tick;
  private final Executor pollExecutor;
  private final PollTracing tracing;
  private final Polling polling;
  private final Bulk bulk;
  private final Map<String, ServerLane> lanes = new ConcurrentHashMap<>();
  private volatile @Nullable ScheduledExecutorService ticker;

  public PollScheduler(
      WatchIndex watches,
      TransferPoller poller,
      SenderSweep sweep,
      Bulk bulk,
      RequestBudgets budgets,
      Clock clock,
      Duration tick,
      Executor pollExecutor,
      PollerMetrics metrics,
      PollTracing tracing) {
    this.watches = watches;
    this.budgets = budgets;
    this.clock = clock;
    this.tick = tick;
    this.pollExecutor = pollExecutor;
    this.tracing = tracing;
    this.bulk = bulk;
    this.polling = new Polling(watches, poller, sweep, bulk, clock, pollExecutor, metrics, tracing);
  }

  /**
   * Starts every due poll its server's caps allow. A poll that finds its server at a cap stays due
   * and starts at a later call.
   *
   * @return how many polls (or sweeps) were started by this call
   */
  public int dispatchDue() {
    int started = 0;
    for (var server : watches.servers()) {
      if (!budgets.isConfigured(server)) {
        started += endUnconfigured(server);
        continue;
      }
      // Each lane catches its own failures: one server's trouble never holds up another's polls.
      started +=
          lanes
              .computeIfAbsent(
                  server, id -> new ServerLane(id, budgets.of(id), polling, () -> ticker))
              .dispatch();
    }
    return started;
  }

  /**
   * Ends the due watches of a server this instance has no configuration for: they are due only when
   * their grace has passed. No request is made, so they need no lane (permits, rate limiter,
   * sweeps): lanes exist for configured servers only, and the ids of others cannot grow them.
   * Concurrent passes cannot end a watch twice: each is claimed first.
   */
  private int endUnconfigured(String server) {
    int started = 0;
    try {
      var now = clock.instant();
      while (started < Polling.MAX_STARTS_PER_PASS) {
        var due = watches.nextDue(server, now);
        if (due == null) {
          break;
        }
        var claimed = watches.claim(due).orElse(null);
        if (claimed == null) {
          continue;
        }
        var claim = polling.claim(claimed);
        try {
          pollExecutor.execute(() -> endUnconfigured(claim));
          started++;
        } catch (RejectedExecutionException shuttingDown) {
          claim.putBack();
          break;
        } catch (RuntimeException e) {
          claim.putBack();
          throw e;
        }
      }
    } catch (RuntimeException e) {
      log.error(
          "Ending the due watches of server {}, which is not configured here, failed; going on at"
              + " the next pass",
          server,
          e);
    }
    return started;
  }

  private void endUnconfigured(Claim claim) {
    var claimed = claim.watch;
    Throwable failure = null;
    try {
      // The terminal event belongs to the transfer's trace, like one after a poll.
      tracing.poll(
          claimed.traceparent(),
          claimed.server(),
          claimed.trackingId(),
          null,
          claim::serverNotConfigured);
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      claim.retryLaterIfHeld(failure);
    }
  }

  /** Requests in flight now, over all servers. */
  public int inFlight() {
    return budgets.inFlight();
  }

  private void tick() {
    try {
      dispatchDue();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: this loop must not die.
      log.error("Dispatching due status polls failed; trying again in {}", tick, e);
    }
  }

  @Override
  public synchronized void start() {
    if (ticker != null) {
      return;
    }
    var executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("poll-scheduler").daemon().factory());
    executor.scheduleWithFixedDelay(
        this::tick, tick.toMillis(), Math.max(1, tick.toMillis()), TimeUnit.MILLISECONDS);
    ticker = executor;
    log.info(
        "Status polling started: every {}, bulk reconciliation {}",
        tick,
        bulk.enabled()
            ? "from " + bulk.minWatchedPerSender() + " watched transfers per sender"
            : "off");
  }

  @Override
  public synchronized void stop() {
    var executor = ticker;
    if (executor == null) {
      return;
    }
    ticker = null;
    executor.shutdownNow();
    if (pollExecutor instanceof ExecutorService polls) {
      // Interrupted polls leave their watches due; the partition's next owner polls them.
      polls.shutdownNow();
      try {
        polls.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.info("Status polling stopped with {} transfers watched", watches.size());
  }

  @Override
  public synchronized boolean isRunning() {
    return ticker != null;
  }
}

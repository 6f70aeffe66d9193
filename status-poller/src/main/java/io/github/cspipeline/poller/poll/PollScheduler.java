package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.WatchList;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the polls that are due. A ticker looks at the watch list every {@code tick}; whether a
 * poll is due is decided by the injected clock, so tests call {@link #dispatchDue()} after moving
 * their clock instead of sleeping. Polls run on the given executor (virtual threads in production),
 * at most {@code maxConcurrentPerServer} per Cryptshare server.
 */
public final class PollScheduler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(PollScheduler.class);

  /** Bounds the work of one tick; what is left is due at the next. */
  private static final int MAX_DUE_PER_TICK = 10_000;

  private final WatchList watches;
  private final TransferPoller poller;
  private final Clock clock;
  private final int maxConcurrentPerServer;
  private final Duration tick;
  private final Executor pollExecutor;
  private final Set<TransferKey> inFlight = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Semaphore> permits = new ConcurrentHashMap<>();
  private @Nullable ScheduledExecutorService ticker;

  public PollScheduler(
      WatchList watches,
      TransferPoller poller,
      Clock clock,
      int maxConcurrentPerServer,
      Duration tick,
      Executor pollExecutor) {
    this.watches = watches;
    this.poller = poller;
    this.clock = clock;
    this.maxConcurrentPerServer = maxConcurrentPerServer;
    this.tick = tick;
    this.pollExecutor = pollExecutor;
  }

  /**
   * Starts every due poll that is not running yet and whose server is below its concurrency cap. A
   * poll that finds its server at the cap stays due and starts at a later call.
   *
   * @return how many polls were started
   */
  public int dispatchDue() {
    int started = 0;
    for (var watch : watches.due(clock.instant(), MAX_DUE_PER_TICK)) {
      var key = watch.key();
      if (inFlight.contains(key)) {
        continue;
      }
      var serverPermits =
          permits.computeIfAbsent(key.server(), server -> new Semaphore(maxConcurrentPerServer));
      if (!serverPermits.tryAcquire()) {
        continue;
      }
      inFlight.add(key);
      try {
        pollExecutor.execute(() -> run(key, serverPermits));
        started++;
      } catch (RejectedExecutionException shuttingDown) {
        inFlight.remove(key);
        serverPermits.release();
        break;
      }
    }
    return started;
  }

  /** Polls running now. */
  public int inFlight() {
    return inFlight.size();
  }

  private void run(TransferKey key, Semaphore serverPermits) {
    try {
      poller.poll(key);
    } catch (RuntimeException e) {
      log.error(
          "Poll of transfer {} on {} failed unexpectedly; it stays due",
          key.trackingId(),
          key.server(),
          e);
    } finally {
      inFlight.remove(key);
      serverPermits.release();
    }
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
        "Status polling started: every {} up to {} polls per Cryptshare server",
        tick,
        maxConcurrentPerServer);
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
      // Interrupted polls leave their watches due; a watch list that survives restarts picks
      // them up again.
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

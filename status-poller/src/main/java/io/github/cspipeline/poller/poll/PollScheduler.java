package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.micrometer.tracing.Span;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the polls that are due, per Cryptshare server, within that server's caps: at most {@code
 * maxConcurrentPerServer} requests in flight and at most the rate cap of its {@link RequestGate}. A
 * due poll starts only when both allow it; the rest stays due, so waiting costs no thread. A {@code
 * Retry-After} from a server pauses all polls of that server until it passed.
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

  /** Bounds the dispatch work of one pass; what is left is due at the next. */
  private static final int MAX_STARTS_PER_PASS = 10_000;

  private final WatchIndex watches;
  private final TransferPoller poller;
  private final SenderSweep sweep;
  private final Bulk bulk;
  private final RequestGate gate;
  private final Clock clock;
  private final int maxConcurrentPerServer;
  private final Duration tick;
  private final Executor pollExecutor;
  private final PollerMetrics metrics;
  private final PollTracing tracing;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  private final Set<TransferKey> statusRequestNext = ConcurrentHashMap.newKeySet();
  private volatile @Nullable ScheduledExecutorService ticker;

  /** A sweep of one sender's list, which due watches of that sender join instead of polling. */
  private static final class SweepRun {
    private final List<Watch> joiners = new ArrayList<>();
    private boolean closed;

    synchronized boolean join(Watch claimed) {
      if (closed) {
        return false;
      }
      joiners.add(claimed);
      return true;
    }

    synchronized List<Watch> close() {
      closed = true;
      return List.copyOf(joiners);
    }
  }

  /** The state of one server. */
  private final class Lane {
    final String server;
    final Semaphore permits = new Semaphore(maxConcurrentPerServer);
    final AtomicInteger dispatchRequests = new AtomicInteger();
    final AtomicBoolean wakeUpPending = new AtomicBoolean();
    final Map<String, SweepRun> sweeping = new ConcurrentHashMap<>();
    final Map<String, Long> lastSweepStart = new ConcurrentHashMap<>();
    volatile long pausedUntil;

    Lane(String server) {
      this.server = server;
    }

    /**
     * Runs the dispatch loop unless another thread runs it right now; that thread then runs it once
     * more, so no request to dispatch is lost.
     */
    int dispatch() {
      if (dispatchRequests.getAndIncrement() != 0) {
        return 0;
      }
      int started = 0;
      int missed = 1;
      do {
        started += dispatchLoop();
        missed = dispatchRequests.addAndGet(-missed);
      } while (missed != 0);
      return started;
    }

    private int dispatchLoop() {
      var now = clock.instant();
      if (pausedUntil > now.toEpochMilli()) {
        return 0;
      }
      var limiter = gate.limiter(server);
      int started = 0;
      while (started < MAX_STARTS_PER_PASS) {
        var due = watches.nextDue(server, now);
        if (due == null) {
          break;
        }
        Watch claimed = null;
        var run = bulk.enabled() ? sweeping.get(senderOf(due)) : null;
        if (run != null) {
          // The sender's list is being read right now: this watch learns its state from it.
          claimed = watches.claim(due).orElse(null);
          if (claimed == null) {
            continue;
          }
          if (run.join(claimed)) {
            metrics.scheduleLag(server, Duration.between(due.nextPollAt(), now));
            started++;
            continue;
          }
        }
        if (!permits.tryAcquire()) {
          releaseUnchanged(claimed);
          break;
        }
        if (!limiter.tryReserve()) {
          permits.release();
          releaseUnchanged(claimed);
          wakeUpIn(limiter.untilFree());
          break;
        }
        if (claimed == null) {
          claimed = watches.claim(due).orElse(null);
          if (claimed == null) {
            limiter.cancelReservation();
            permits.release();
            continue;
          }
        }
        var job = jobFor(claimed, now, limiter);
        try {
          pollExecutor.execute(job);
          started++;
        } catch (RejectedExecutionException shuttingDown) {
          watches.release(claimed);
          limiter.cancelReservation();
          permits.release();
          break;
        }
      }
      return started;
    }

    /**
     * Dispatches again when the rate cap gives the next permit, rather than at the next tick: the
     * cap's spacing may be much shorter than a tick.
     */
    private void wakeUpIn(Duration delay) {
      var executor = ticker;
      if (executor == null || !wakeUpPending.compareAndSet(false, true)) {
        return;
      }
      try {
        executor.schedule(
            () -> {
              wakeUpPending.set(false);
              dispatch();
            },
            Math.max(1, delay.toNanos() / 1_000),
            TimeUnit.MICROSECONDS);
      } catch (RejectedExecutionException stopping) {
        wakeUpPending.set(false);
      }
    }

    private void releaseUnchanged(@Nullable Watch claimed) {
      if (claimed != null) {
        watches.release(claimed);
      }
    }

    private Runnable jobFor(Watch claimed, Instant now, RequestRateLimiter reservation) {
      if (statusRequestNext.remove(claimed.key())
          || !bulk.enabled()
          || watches.watchedBy(server, claimed.sender()) < bulk.minWatchedPerSender()) {
        return () -> single(claimed, reservation);
      }
      var sender = senderOf(claimed);
      var last = lastSweepStart.get(sender);
      if (last != null && last >= claimed.nextPollAt().toEpochMilli()) {
        // A sweep that started after this watch was due did not settle it: the list does not
        // show it (yet, or any more). Its own status request decides.
        return () -> single(claimed, reservation);
      }
      var run = new SweepRun();
      if (sweeping.putIfAbsent(sender, run) != null) {
        return () -> single(claimed, reservation);
      }
      lastSweepStart.put(sender, now.toEpochMilli());
      return () -> sweep(claimed, sender, run, reservation);
    }

    private void single(Watch claimed, RequestRateLimiter reservation) {
      started(claimed);
      // The status request and what follows from its answer run in a span of the watch's trace.
      tracing.poll(
          claimed.traceparent(),
          server,
          claimed.trackingId(),
          null,
          () -> {
            PollOutcome outcome;
            try {
              outcome = gate.reserved(reservation, () -> poller.check(claimed));
            } finally {
              permits.release();
            }
            pauseFor(outcome);
            poller.act(claimed, outcome);
          });
      dispatch();
    }

    private void sweep(Watch trigger, String sender, SweepRun run, RequestRateLimiter reservation) {
      started(trigger);
      // The list requests run in a span of the trigger's trace; each watch the list settles is
      // acted on in a span of its own trace, linked to this one.
      var sweepSpan = tracing.startSweep(trigger.traceparent(), server, trigger.trackingId());
      SenderSweep.Result result;
      List<Watch> joiners;
      try {
        result =
            tracing.inScope(
                sweepSpan, () -> gate.reserved(reservation, () -> sweep.sweep(trigger)));
      } catch (RuntimeException e) {
        log.error("Sweeping the transfers of {} failed unexpectedly", trigger.sender(), e);
        result =
            new SenderSweep.Result(
                List.of(), false, 0, Map.of(), new PollOutcome.Failed(e.toString()));
      } finally {
        joiners = run.close();
        sweeping.remove(sender, run);
        permits.release();
      }
      for (var listed : result.listed()) {
        settle(listed.watch(), listed.state(), null, sweepSpan);
      }
      if (!result.triggerListed()) {
        settle(trigger, null, result.failure(), sweepSpan);
      }
      for (var joiner : joiners) {
        settle(joiner, result.states().get(joiner.trackingId()), result.failure(), sweepSpan);
      }
      dispatch();
    }

    /** Records how late the due poll of a watch really started. */
    private void started(Watch claimed) {
      metrics.scheduleLag(server, Duration.between(claimed.nextPollAt(), clock.instant()));
    }

    /**
     * What a sweep means for one claimed watch: the state the list showed, or (not shown) its own
     * status request next, or (the list failed) the failure as its poll outcome.
     */
    private void settle(
        Watch claimed,
        @Nullable String listedState,
        @Nullable PollOutcome failure,
        Span sweepSpan) {
      if (listedState == null) {
        if (failure != null) {
          pauseFor(failure);
          inPollSpan(claimed, sweepSpan, () -> poller.act(claimed, failure));
        } else {
          statusRequestNext.add(claimed.key());
          poller.dueNow(claimed);
        }
      } else if (StateMapping.of(listedState) instanceof StateMapping.Terminal) {
        statusRequestNext.add(claimed.key());
        poller.dueNow(claimed);
      } else {
        inPollSpan(claimed, sweepSpan, () -> poller.actOnListed(claimed, listedState));
      }
    }

    private void inPollSpan(Watch claimed, Span sweepSpan, Runnable work) {
      tracing.poll(claimed.traceparent(), server, claimed.trackingId(), sweepSpan, work);
    }

    private void pauseFor(PollOutcome outcome) {
      if (outcome instanceof PollOutcome.Retry(var reason, var retryAfter)
          && retryAfter != null
          && retryAfter.isPositive()) {
        var until = clock.instant().plus(retryAfter).toEpochMilli();
        if (until > pausedUntil) {
          pausedUntil = until;
          log.info(
              "Cryptshare server {} asked to retry after {} ({}); no requests to it until then",
              server,
              retryAfter,
              reason);
        }
      }
    }
  }

  private static String senderOf(Watch watch) {
    return watch.sender().toLowerCase(Locale.ROOT);
  }

  public PollScheduler(
      WatchIndex watches,
      TransferPoller poller,
      SenderSweep sweep,
      Bulk bulk,
      RequestGate gate,
      Clock clock,
      int maxConcurrentPerServer,
      Duration tick,
      Executor pollExecutor,
      PollerMetrics metrics,
      PollTracing tracing) {
    this.watches = watches;
    this.poller = poller;
    this.sweep = sweep;
    this.bulk = bulk;
    this.gate = gate;
    this.clock = clock;
    this.maxConcurrentPerServer = maxConcurrentPerServer;
    this.tick = tick;
    this.pollExecutor = pollExecutor;
    this.metrics = metrics;
    this.tracing = tracing;
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
      started += lanes.computeIfAbsent(server, Lane::new).dispatch();
    }
    return started;
  }

  /** Requests in flight now, over all servers. */
  public int inFlight() {
    int inFlight = 0;
    for (var lane : lanes.values()) {
      inFlight += maxConcurrentPerServer - lane.permits.availablePermits();
    }
    return inFlight;
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
        "Status polling started: every {}, up to {} requests at once per Cryptshare server, bulk"
            + " reconciliation {}",
        tick,
        maxConcurrentPerServer,
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

package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.tracing.PollTracing;
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
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the polls that are due, per Cryptshare server, within that server's caps: at most {@code
 * maxConcurrentPerServer} requests in flight and at most the rate cap of its {@link RequestGate}. A
 * due poll starts only when both allow it; the rest stays due, so waiting costs no thread. A {@code
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
  private volatile @Nullable ScheduledExecutorService ticker;

  /**
   * A watch claimed for a poll. It is handed on exactly once: to the {@link TransferPoller} with
   * what the poll learnt, or back into the schedule. Whatever fails on the way, the poll's last
   * step ({@link #retryLaterIfHeld}) puts a watch that was not handed on back with a backoff, so no
   * failure in the poll path can leave a watch claimed for good.
   */
  private final class Claim {
    final Watch watch;
    private final AtomicBoolean handedOn = new AtomicBoolean();

    Claim(Watch watch) {
      this.watch = watch;
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
  private static final class SweepRun {
    private final Claim trigger;
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

  /** The state of one server. */
  private final class Lane {
    final String server;
    final Semaphore permits = new Semaphore(maxConcurrentPerServer);
    final AtomicInteger dispatchRequests = new AtomicInteger();
    final AtomicBoolean wakeUpPending = new AtomicBoolean();
    final Map<String, SweepRun> sweeping = new ConcurrentHashMap<>();
    volatile long pausedUntil;

    /**
     * What a started poll holds of the server's capacity: a permit of the concurrency cap and the
     * reservation of its first request. Each is given back once, however the poll ends.
     */
    private final class Slot {
      private final RequestRateLimiter reservation;
      private final AtomicBoolean permitHeld = new AtomicBoolean(true);
      private final AtomicBoolean reservationHeld = new AtomicBoolean(true);

      Slot(RequestRateLimiter reservation) {
        this.reservation = reservation;
      }

      /** Runs the poll's requests; the gate uses or gives back the reservation from here on. */
      <T> T reserved(Supplier<T> work) {
        reservationHeld.set(false);
        return gate.reserved(reservation, work);
      }

      void freePermit() {
        if (permitHeld.compareAndSet(true, false)) {
          permits.release();
        }
      }

      void free() {
        freePermit();
        if (reservationHeld.compareAndSet(true, false)) {
          reservation.cancelReservation();
        }
      }
    }

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
      try {
        do {
          try {
            started += dispatchLoop();
          } catch (RuntimeException e) {
            // The loop must end with the request count back at zero, or this server would never
            // be dispatched again. What stayed due starts at the next pass.
            log.error(
                "Dispatching the due status polls of server {} failed; going on at the next pass",
                server,
                e);
          }
          missed = dispatchRequests.addAndGet(-missed);
        } while (missed != 0);
      } catch (Error e) {
        dispatchRequests.set(0);
        throw e;
      }
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
        Claim claim = null;
        var run = bulk.enabled() ? sweeping.get(senderOf(due)) : null;
        if (run != null) {
          // The sender's list is being read right now: this watch learns its state from it.
          var claimed = watches.claim(due).orElse(null);
          if (claimed == null) {
            continue;
          }
          claim = new Claim(claimed);
          if (run.join(claim)) {
            started++;
            metrics.scheduleLag(server, Duration.between(due.nextPollAt(), now));
            continue;
          }
        }
        if (!permits.tryAcquire()) {
          putBack(claim);
          break;
        }
        if (!limiter.tryReserve()) {
          permits.release();
          putBack(claim);
          wakeUpIn(limiter.untilFree());
          break;
        }
        var slot = new Slot(limiter);
        if (claim == null) {
          var claimed = watches.claim(due).orElse(null);
          if (claimed == null) {
            slot.free();
            continue;
          }
          claim = new Claim(claimed);
        }
        try {
          pollExecutor.execute(jobFor(claim, slot, now));
          started++;
        } catch (RejectedExecutionException shuttingDown) {
          abandon(claim, slot);
          break;
        } catch (RuntimeException e) {
          abandon(claim, slot);
          throw e;
        }
      }
      return started;
    }

    /** Undoes a dispatch whose poll did not start: the watch, its sweep and its slot go back. */
    private void abandon(Claim claim, Slot slot) {
      var sender = senderOf(claim.watch);
      var run = sweeping.get(sender);
      if (run != null && run.trigger == claim && sweeping.remove(sender, run)) {
        run.close().forEach(Claim::putBack);
      }
      claim.putBack();
      slot.free();
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

    private void putBack(@Nullable Claim claim) {
      if (claim != null) {
        claim.putBack();
      }
    }

    private Runnable jobFor(Claim claim, Slot slot, Instant now) {
      var claimed = claim.watch;
      if (watches.takeStatusRequest(claimed)
          || !bulk.enabled()
          || watches.watchedBy(server, claimed.sender()) < bulk.minWatchedPerSender()) {
        return () -> single(claim, slot);
      }
      var last = watches.lastSweepStart(server, claimed.sender());
      if (last != null && !last.isBefore(claimed.nextPollAt())) {
        // A sweep that started after this watch was due did not settle it: the list does not
        // show it (yet, or any more). Its own status request decides.
        return () -> single(claim, slot);
      }
      var sender = senderOf(claimed);
      var run = new SweepRun(claim);
      if (sweeping.putIfAbsent(sender, run) != null) {
        return () -> single(claim, slot);
      }
      watches.sweepStarted(server, claimed.sender(), now);
      return () -> sweep(claim, sender, run, slot);
    }

    private void single(Claim claim, Slot slot) {
      var claimed = claim.watch;
      Throwable failure = null;
      try {
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
                outcome = slot.reserved(() -> poller.check(claimed));
              } finally {
                slot.freePermit();
              }
              pauseFor(outcome);
              // The request is done, its permit free and a Retry-After heeded: the next due poll
              // starts now, not after this one has recorded its outcome (a terminal event waits
              // for the journal's round, up to journal-linger and a commit), which would hold the
              // server's polls back.
              dispatch();
              claim.act(outcome);
            });
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        slot.free();
        claim.retryLaterIfHeld(failure);
        dispatch();
      }
    }

    private void sweep(Claim trigger, String sender, SweepRun run, Slot slot) {
      var claims = new ArrayList<Claim>(List.of(trigger));
      Throwable failure = null;
      try {
        started(trigger.watch);
        // The list requests run in a span of the trigger's trace; each watch the list settles is
        // acted on in a span of its own trace, linked to this one.
        var sweepSpan =
            tracing.startSweep(trigger.watch.traceparent(), server, trigger.watch.trackingId());
        SenderSweep.Result result;
        List<Claim> joiners;
        try {
          result =
              tracing.inScope(sweepSpan, () -> slot.reserved(() -> sweep.sweep(trigger.watch)));
        } catch (RuntimeException e) {
          log.error("Sweeping the transfers of {} failed unexpectedly", trigger.watch.sender(), e);
          result =
              new SenderSweep.Result(
                  List.of(), false, 0, Map.of(), new PollOutcome.Failed(e.toString()));
        } finally {
          joiners = close(sender, run, claims);
          slot.freePermit();
        }
        var listed = new ArrayList<Claim>();
        for (var row : result.listed()) {
          var claim =
              row.watch().key().equals(trigger.watch.key()) ? trigger : new Claim(row.watch());
          listed.add(claim);
          claims.add(claim);
        }
        for (int i = 0; i < listed.size(); i++) {
          settle(listed.get(i), result.listed().get(i).state(), null, sweepSpan);
        }
        if (!result.triggerListed()) {
          settle(trigger, null, result.failure(), sweepSpan);
        }
        for (var joiner : joiners) {
          settle(
              joiner, result.states().get(joiner.watch.trackingId()), result.failure(), sweepSpan);
        }
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        close(sender, run, claims);
        slot.free();
        for (var claim : claims) {
          claim.retryLaterIfHeld(failure);
        }
        dispatch();
      }
    }

    /** Closes the sweep's run to joiners; the joiners, now the sweep's to settle, are returned. */
    private List<Claim> close(String sender, SweepRun run, List<Claim> claims) {
      var joiners = run.close();
      sweeping.remove(sender, run);
      claims.addAll(joiners);
      return joiners;
    }

    /** Records how late the due poll of a watch really started. */
    private void started(Watch claimed) {
      metrics.scheduleLag(server, Duration.between(claimed.nextPollAt(), clock.instant()));
    }

    /**
     * What a sweep means for one claimed watch: the state the list showed, or (not shown) its own
     * status request next, or (the list failed) the failure as its poll outcome. A failure here
     * puts this watch back with a backoff and leaves the others to be settled.
     */
    private void settle(
        Claim claim, @Nullable String listedState, @Nullable PollOutcome failure, Span sweepSpan) {
      try {
        if (listedState == null) {
          if (failure != null) {
            pauseFor(failure);
            inPollSpan(claim.watch, sweepSpan, () -> claim.act(failure));
          } else {
            claim.statusRequestNext();
          }
        } else if (StateMapping.of(listedState) instanceof StateMapping.Terminal) {
          claim.statusRequestNext();
        } else {
          inPollSpan(claim.watch, sweepSpan, () -> claim.actOnListed(listedState));
        }
      } catch (RuntimeException e) {
        claim.retryLaterIfHeld(e);
      }
    }

    private void inPollSpan(Watch claimed, Span sweepSpan, Runnable work) {
      tracing.poll(claimed.traceparent(), server, claimed.trackingId(), sweepSpan, work);
    }

    /**
     * Pauses the server for its {@code Retry-After}, at most {@link Backoff#MAX_RETRY_AFTER} (the
     * outcome holds it there already; clamped again so that no outcome can overflow the pause).
     */
    private void pauseFor(PollOutcome outcome) {
      if (outcome instanceof PollOutcome.Retry(var reason, var retryAfter)
          && retryAfter != null
          && retryAfter.isPositive()) {
        var until = clock.instant().plus(Backoff.clampRetryAfter(retryAfter)).toEpochMilli();
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
      if (!gate.isConfigured(server)) {
        started += endUnconfigured(server);
        continue;
      }
      // Each lane catches its own failures: one server's trouble never holds up another's polls.
      started += lanes.computeIfAbsent(server, Lane::new).dispatch();
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
      while (started < MAX_STARTS_PER_PASS) {
        var due = watches.nextDue(server, now);
        if (due == null) {
          break;
        }
        var claimed = watches.claim(due).orElse(null);
        if (claimed == null) {
          continue;
        }
        var claim = new Claim(claimed);
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

package io.github.cspipeline.poller.poll;

import static io.github.cspipeline.poller.poll.Polling.MAX_STARTS_PER_PASS;

import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.poller.watch.Watch;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polls of one configured server: starts its due polls within its {@link RequestBudget}, and
 * pauses them for a {@code Retry-After}. A started poll holds a {@link RequestBudget.Reservation}
 * (a slot and the reserved permit of its first request), which it gives back by closing it, however
 * the poll ends ({@link LanePolls}).
 */
final class ServerLane {

  private static final Logger log = LoggerFactory.getLogger(ServerLane.class);

  final String server;
  final Map<String, SweepRun> sweeping = new ConcurrentHashMap<>();
  private final RequestBudget budget;
  private final Polling polling;
  private final Supplier<@Nullable ScheduledExecutorService> ticker;
  private final LanePolls polls;
  private final AtomicInteger dispatchRequests = new AtomicInteger();
  private final AtomicBoolean wakeUpPending = new AtomicBoolean();
  private volatile long pausedUntil;

  ServerLane(
      String server,
      RequestBudget budget,
      Polling polling,
      Supplier<@Nullable ScheduledExecutorService> ticker) {
    this.server = server;
    this.budget = budget;
    this.polling = polling;
    this.ticker = ticker;
    this.polls = new LanePolls(this, polling);
  }

  static String senderOf(Watch watch) {
    return watch.sender().toLowerCase(Locale.ROOT);
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
    var watches = polling.watches();
    var now = polling.clock().instant();
    if (pausedUntil > now.toEpochMilli()) {
      return 0;
    }
    int started = 0;
    while (started < MAX_STARTS_PER_PASS) {
      var due = watches.nextDue(server, now);
      if (due == null) {
        break;
      }
      Claim claim = null;
      var run = polling.bulk().enabled() ? sweeping.get(senderOf(due)) : null;
      if (run != null) {
        // The sender's list is being read right now: this watch learns its state from it.
        var claimed = watches.claim(due).orElse(null);
        if (claimed == null) {
          continue;
        }
        claim = polling.claim(claimed);
        if (run.join(claim)) {
          started++;
          polling.metrics().scheduleLag(server, Duration.between(due.nextPollAt(), now));
          continue;
        }
      }
      var reservation = budget.tryReserve();
      if (reservation == null) {
        putBack(claim);
        // Slots full: the next poll to finish dispatches again. A rate permit to come: wake up
        // when it does.
        var untilFree = budget.untilFree();
        if (untilFree.isPositive()) {
          wakeUpIn(untilFree);
        }
        break;
      }
      if (claim == null) {
        var claimed = watches.claim(due).orElse(null);
        if (claimed == null) {
          reservation.close();
          continue;
        }
        claim = polling.claim(claimed);
      }
      try {
        polling.pollExecutor().execute(jobFor(claim, reservation, now));
        started++;
      } catch (RejectedExecutionException shuttingDown) {
        abandon(claim, reservation);
        break;
      } catch (RuntimeException e) {
        abandon(claim, reservation);
        throw e;
      }
    }
    return started;
  }

  /** Undoes a dispatch whose poll did not start: the watch, its sweep and its budget go back. */
  private void abandon(Claim claim, RequestBudget.Reservation reservation) {
    var sender = senderOf(claim.watch);
    var run = sweeping.get(sender);
    if (run != null && run.trigger == claim && sweeping.remove(sender, run)) {
      run.close().forEach(Claim::putBack);
    }
    claim.putBack();
    reservation.close();
  }

  /**
   * Dispatches again when the rate cap gives the next permit, rather than at the next tick: the
   * cap's spacing may be much shorter than a tick.
   */
  private void wakeUpIn(Duration delay) {
    var executor = ticker.get();
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

  private static void putBack(@Nullable Claim claim) {
    if (claim != null) {
      claim.putBack();
    }
  }

  private Runnable jobFor(Claim claim, RequestBudget.Reservation reservation, Instant now) {
    var watches = polling.watches();
    var bulk = polling.bulk();
    var claimed = claim.watch;
    if (watches.takeStatusRequest(claimed)
        || !bulk.enabled()
        || watches.watchedBy(server, claimed.sender()) < bulk.minWatchedPerSender()) {
      return () -> polls.single(claim, reservation);
    }
    var last = watches.lastSweepStart(server, claimed.sender());
    if (last != null && !last.isBefore(claimed.nextPollAt())) {
      // A sweep that started after this watch was due did not settle it: the list does not
      // show it (yet, or any more). Its own status request decides.
      return () -> polls.single(claim, reservation);
    }
    var sender = senderOf(claimed);
    var run = new SweepRun(claim);
    if (sweeping.putIfAbsent(sender, run) != null) {
      return () -> polls.single(claim, reservation);
    }
    watches.sweepStarted(server, claimed.sender(), now);
    return () -> polls.sweep(claim, sender, run, reservation);
  }

  /**
   * Pauses the server for its {@code Retry-After}, at most {@link Backoff#MAX_RETRY_AFTER} (the
   * outcome holds it there already; clamped again so that no outcome can overflow the pause).
   */
  void pauseFor(PollOutcome outcome) {
    if (outcome instanceof PollOutcome.Retry(var reason, var retryAfter)
        && retryAfter != null
        && retryAfter.isPositive()) {
      var until =
          polling.clock().instant().plus(Backoff.clampRetryAfter(retryAfter)).toEpochMilli();
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

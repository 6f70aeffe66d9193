package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.poller.watch.Watch;
import io.micrometer.tracing.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polls a {@link ServerLane} started, each on its own thread: a status request, or a sweep of a
 * sender's list. Each owns its {@link RequestBudget.Reservation} and closes it when it ends, after
 * freeing its slot as soon as its requests are done; each hands every watch it claimed on.
 */
final class LanePolls {

  private static final Logger log = LoggerFactory.getLogger(LanePolls.class);

  private final ServerLane lane;
  private final Polling polling;

  LanePolls(ServerLane lane, Polling polling) {
    this.lane = lane;
    this.polling = polling;
  }

  void single(Claim claim, RequestBudget.Reservation reservation) {
    var claimed = claim.watch;
    Throwable failure = null;
    try (reservation) {
      started(claimed);
      // The status request and what follows from its answer run in a span of the watch's trace.
      polling
          .tracing()
          .poll(
              claimed.traceparent(),
              lane.server,
              claimed.trackingId(),
              null,
              () -> {
                PollOutcome outcome;
                try {
                  outcome = reservation.use(() -> polling.poller().check(claimed));
                } finally {
                  reservation.releaseSlot();
                }
                lane.pauseFor(outcome);
                // The request is done, its slot free and a Retry-After heeded: the next due poll
                // starts now, not after this one has recorded its outcome (a terminal event waits
                // for the journal's round, up to journal-linger and a commit), which would hold
                // the server's polls back.
                lane.dispatch();
                claim.act(outcome);
              });
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      claim.retryLaterIfHeld(failure);
      lane.dispatch();
    }
  }

  void sweep(Claim trigger, String sender, SweepRun run, RequestBudget.Reservation reservation) {
    var tracing = polling.tracing();
    var claims = new ArrayList<Claim>(List.of(trigger));
    Throwable failure = null;
    try (reservation) {
      started(trigger.watch);
      // The list requests run in a span of the trigger's trace; each watch the list settles is
      // acted on in a span of its own trace, linked to this one.
      var sweepSpan =
          tracing.startSweep(trigger.watch.traceparent(), lane.server, trigger.watch.trackingId());
      SenderSweep.Result result;
      List<Claim> joiners;
      try {
        result =
            tracing.inScope(
                sweepSpan, () -> reservation.use(() -> polling.sweep().sweep(trigger.watch)));
      } catch (RuntimeException e) {
        log.error("Sweeping the transfers of {} failed unexpectedly", trigger.watch.sender(), e);
        result =
            new SenderSweep.Result(
                List.of(), false, 0, Map.of(), new PollOutcome.Failed(e.toString()));
      } finally {
        joiners = close(sender, run, claims);
        reservation.releaseSlot();
      }
      var listed = new ArrayList<Claim>();
      for (var row : result.listed()) {
        var claim =
            row.watch().key().equals(trigger.watch.key()) ? trigger : polling.claim(row.watch());
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
        settle(joiner, result.states().get(joiner.watch.trackingId()), result.failure(), sweepSpan);
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      close(sender, run, claims);
      for (var claim : claims) {
        claim.retryLaterIfHeld(failure);
      }
      lane.dispatch();
    }
  }

  /** Closes the sweep's run to joiners; the joiners, now the sweep's to settle, are returned. */
  private List<Claim> close(String sender, SweepRun run, List<Claim> claims) {
    var joiners = run.close();
    lane.sweeping.remove(sender, run);
    claims.addAll(joiners);
    return joiners;
  }

  /** Records how late the due poll of a watch really started. */
  private void started(Watch claimed) {
    polling
        .metrics()
        .scheduleLag(
            lane.server, Duration.between(claimed.nextPollAt(), polling.clock().instant()));
  }

  /**
   * What a sweep means for one claimed watch: the state the list showed, or (not shown) its own
   * status request next, or (the list failed) the failure as its poll outcome. A failure here puts
   * this watch back with a backoff and leaves the others to be settled.
   */
  private void settle(
      Claim claim, @Nullable String listedState, @Nullable PollOutcome failure, Span sweepSpan) {
    try {
      if (listedState == null) {
        if (failure != null) {
          lane.pauseFor(failure);
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
    polling
        .tracing()
        .poll(claimed.traceparent(), lane.server, claimed.trackingId(), sweepSpan, work);
  }
}

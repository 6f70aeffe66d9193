package io.github.cspipeline.simulator.control;

import io.github.cspipeline.simulator.config.SimulatorSettings;
import io.github.cspipeline.simulator.control.ControlRequests.ConfigView;
import io.github.cspipeline.simulator.control.ControlRequests.FinalizeOutcomes;
import io.github.cspipeline.simulator.control.ControlRequests.StateUpdate;
import io.github.cspipeline.simulator.control.ControlRequests.TransferCalls;
import io.github.cspipeline.simulator.control.ControlRequests.TransferSummaries;
import io.github.cspipeline.simulator.control.ControlRequests.TransferSummary;
import io.github.cspipeline.simulator.session.Session;
import io.github.cspipeline.simulator.session.SessionStore;
import io.github.cspipeline.simulator.stats.CallCounts;
import io.github.cspipeline.simulator.stats.RequestStats;
import io.github.cspipeline.simulator.transfer.Transfer;
import io.github.cspipeline.simulator.transfer.TransferService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The control API of CONTRACT.md §5: configuration, what happened to each transfer, forced states
 * and reset. Senders: {@link SenderControlController}; seeding: {@link SeedController}.
 */
@RestController
@RequestMapping("/simulator")
public class ControlController {

  private final SimulatorSettings settings;
  private final SessionStore sessions;
  private final TransferService transfers;
  private final RequestStats stats;
  private final SimulatorReset reset;
  private final Clock clock;

  public ControlController(
      SimulatorSettings settings,
      SessionStore sessions,
      TransferService transfers,
      RequestStats stats,
      SimulatorReset reset,
      Clock clock) {
    this.settings = settings;
    this.sessions = sessions;
    this.transfers = transfers;
    this.stats = stats;
    this.reset = reset;
    this.clock = clock;
  }

  @GetMapping("/config")
  public ConfigView config() {
    return view(settings.current());
  }

  @PutMapping("/config")
  public ConfigView updateConfig(@RequestBody SimulatorSettings.Update update) {
    try {
      return view(settings.update(update));
    } catch (IllegalArgumentException e) {
      throw ControlErrors.badRequest(e.getMessage());
    }
  }

  @GetMapping("/transfers/{trackingId}")
  public TransferCalls transfer(@PathVariable String trackingId) {
    Transfer transfer = transfers.transfer(trackingId);
    CallCounts calls = stats.calls(trackingId);
    Session session = sessions.get(trackingId);
    CallCounts.Outcomes outcomes = calls.finalizeOutcomes();
    return new TransferCalls(
        trackingId,
        transfer == null ? null : transfer.state(clock.instant()),
        calls.finalizeCalls(),
        calls.statusCalls(),
        outcomes.effective(),
        FinalizeOutcomes.of(outcomes),
        session != null && session.isOpen(),
        calls.lastFinalizeTraceparent(),
        calls.lastStatusTraceparent());
  }

  /**
   * Every tracking id with at least one finalize call, sorted by tracking id: one pass over the
   * counts with a map lookup each, for audits over many thousand transfers.
   */
  @GetMapping("/transfers")
  public TransferSummaries finalizedTransfers() {
    Instant now = clock.instant();
    List<TransferSummary> summaries = new ArrayList<>();
    stats.forEachFinalized(
        (trackingId, calls) -> {
          Transfer transfer = transfers.transfer(trackingId);
          Session session = transfer == null ? sessions.get(trackingId) : null;
          String sender =
              transfer != null
                  ? transfer.sender()
                  : session != null ? session.sender() : calls.lastFinalizeSender();
          CallCounts.Outcomes outcomes = calls.finalizeOutcomes();
          summaries.add(
              new TransferSummary(
                  trackingId,
                  sender,
                  transfer == null ? null : transfer.state(now),
                  calls.finalizeCalls(),
                  calls.statusCalls(),
                  outcomes.effective(),
                  FinalizeOutcomes.of(outcomes)));
        });
    summaries.sort(Comparator.comparing(TransferSummary::trackingId));
    return new TransferSummaries(summaries);
  }

  @PutMapping("/transfers/{trackingId}")
  public TransferCalls forceState(
      @PathVariable String trackingId, @RequestBody StateUpdate update) {
    Transfer transfer = transfers.transfer(trackingId);
    if (transfer == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no transfer " + trackingId);
    }
    String state = update.state();
    if (state != null && state.isBlank()) {
      throw ControlErrors.badRequest("state must not be blank (null lifts a forced state)");
    }
    transfer.forceState(state == null ? null : state.trim());
    return transfer(trackingId);
  }

  @PostMapping("/reset")
  public ResponseEntity<Void> reset() {
    reset.resetAll();
    return ResponseEntity.noContent().build();
  }

  private static ConfigView view(SimulatorSettings.Values values) {
    return new ConfigView(
        values.autoSessions(), values.processingTime().toString(), values.failedRatio());
  }
}

package io.github.cspipeline.simulator.control;

import io.github.cspipeline.simulator.config.SimulatorSettings;
import io.github.cspipeline.simulator.fault.FaultInjector;
import io.github.cspipeline.simulator.policy.SenderPolicies;
import io.github.cspipeline.simulator.session.SessionStore;
import io.github.cspipeline.simulator.stats.RequestStats;
import io.github.cspipeline.simulator.transfer.TransferStore;
import io.github.cspipeline.simulator.verification.VerificationService;
import org.springframework.stereotype.Service;

/** Forgets everything: as if the simulator had just started. */
@Service
public class SimulatorReset {

  private final SimulatorSettings settings;
  private final VerificationService verification;
  private final SessionStore sessions;
  private final TransferStore transfers;
  private final FaultInjector faults;
  private final RequestStats stats;
  private final SenderPolicies policies;

  public SimulatorReset(
      SimulatorSettings settings,
      VerificationService verification,
      SessionStore sessions,
      TransferStore transfers,
      FaultInjector faults,
      RequestStats stats,
      SenderPolicies policies) {
    this.settings = settings;
    this.verification = verification;
    this.sessions = sessions;
    this.transfers = transfers;
    this.faults = faults;
    this.stats = stats;
    this.policies = policies;
  }

  public void resetAll() {
    faults.clear();
    settings.reset();
    verification.clear();
    sessions.clear();
    transfers.clear();
    stats.clear();
    policies.clear();
  }
}

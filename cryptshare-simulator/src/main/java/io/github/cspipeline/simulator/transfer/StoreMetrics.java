package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.session.SessionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * How much the simulator holds, for watching its memory during benchmarks. Here rather than in
 * {@code stats} (the request statistics), which the transfer endpoints feed: a gauge on the stores
 * there would make the two packages depend on each other.
 */
@Component
public class StoreMetrics implements MeterBinder {

  private final SessionStore sessions;
  private final TransferStore transfers;

  public StoreMetrics(SessionStore sessions, TransferStore transfers) {
    this.sessions = sessions;
    this.transfers = transfers;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("simulator.sessions", sessions, SessionStore::size)
        .description("Open transfer sessions")
        .register(registry);
    Gauge.builder("simulator.transfers", transfers, TransferStore::size)
        .description("Finalized transfers")
        .register(registry);
  }
}

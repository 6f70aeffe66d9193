package io.github.cspipeline.simulator;

import io.github.cspipeline.testkit.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Wires a {@link SimulatorClient} and starts every test from a fresh simulator at a fixed time. */
@SimulatorTest
public abstract class SimulatorTestSupport {

  /** Where the clock stands at the start of every test. */
  public static final Instant START = Instant.parse("2026-11-26T10:15:00Z");

  @LocalServerPort protected int port;

  @Autowired protected MutableClock clock;

  protected SimulatorClient simulator;

  @BeforeEach
  protected void freshSimulator() {
    clock.set(START);
    simulator = new SimulatorClient(port);
    simulator.reset();
  }
}

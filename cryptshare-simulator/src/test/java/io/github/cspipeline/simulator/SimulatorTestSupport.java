package io.github.cspipeline.simulator;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Wires a {@link SimulatorClient} and starts every test from a fresh simulator at a fixed time. */
@SimulatorTest
public abstract class SimulatorTestSupport {

  @LocalServerPort protected int port;

  @Autowired protected SettableClock clock;

  protected SimulatorClient simulator;

  @BeforeEach
  protected void freshSimulator() {
    clock.reset();
    simulator = new SimulatorClient(port);
    simulator.reset();
  }
}

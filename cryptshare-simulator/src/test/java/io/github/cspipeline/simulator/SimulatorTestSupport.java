package io.github.cspipeline.simulator;

import static org.assertj.core.api.Assertions.assertThat;

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

  /** Checks that Cryptshare refused the call with this HTTP status and Cryptshare error code. */
  public static void assertError(SimulatorClient.Response response, int status, int errorCode) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.errorCode()).isEqualTo(errorCode);
  }

  @BeforeEach
  protected void freshSimulator() {
    clock.set(START);
    simulator = new SimulatorClient(port);
    simulator.reset();
  }
}

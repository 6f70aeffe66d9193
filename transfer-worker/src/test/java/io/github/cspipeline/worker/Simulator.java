package io.github.cspipeline.worker;

import io.github.cspipeline.simulator.CryptshareSimulatorApplication;
import io.github.cspipeline.testkit.SimulatorControl;
import java.net.URI;
import java.util.ArrayList;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Cryptshare simulator in-process on a random port, with auto-sessions and 1 s processing, and
 * its control API (faults, counts, stats) from {@link SimulatorControl}.
 */
public final class Simulator extends SimulatorControl implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  /** {@code properties}: extra simulator settings as {@code name=value}. */
  public Simulator(String... properties) {
    this(start(properties));
  }

  private Simulator(ConfigurableApplicationContext context) {
    super(
        URI.create(
            "http://127.0.0.1:"
                + context.getEnvironment().getRequiredProperty("local.server.port")));
    this.context = context;
  }

  private static ConfigurableApplicationContext start(String... properties) {
    var args = new ArrayList<String>();
    args.add("--server.port=0");
    args.add("--spring.config.name=none");
    args.add("--simulator.auto-sessions=true");
    args.add("--simulator.processing-time=PT1S");
    for (var property : properties) {
      args.add("--" + property);
    }
    return CryptshareSimulatorApplication.builder().run(args.toArray(String[]::new));
  }

  @Override
  public void close() {
    context.close();
  }
}

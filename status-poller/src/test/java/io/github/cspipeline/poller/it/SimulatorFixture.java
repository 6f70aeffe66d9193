package io.github.cspipeline.poller.it;

import io.github.cspipeline.simulator.CryptshareSimulatorApplication;
import io.github.cspipeline.testkit.SimulatorControl;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Cryptshare simulator, in-process on a random port, with its control API from {@link
 * SimulatorControl} and the finalize the poller's tests need to get a status URL.
 */
public final class SimulatorFixture extends SimulatorControl implements AutoCloseable {

  /** Any 50+ alphanumerics: the simulator accepts every well-formed client id. */
  public static final String CLIENT_ID = "PollerItClientId".repeat(4);

  private final ConfigurableApplicationContext context;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  /** {@code properties}: simulator settings as {@code name=value}. */
  public SimulatorFixture(String... properties) {
    this(start(properties));
  }

  private SimulatorFixture(ConfigurableApplicationContext context) {
    super(
        URI.create(
            "http://localhost:"
                + context.getEnvironment().getRequiredProperty("local.server.port")));
    this.context = context;
  }

  private static ConfigurableApplicationContext start(String... properties) {
    var args = new String[properties.length + 3];
    args[0] = "--server.port=0";
    args[1] = "--spring.config.name=none";
    args[2] = "--logging.level.io.github.cspipeline.simulator=warn";
    for (int i = 0; i < properties.length; i++) {
      args[i + 3] = "--" + properties[i];
    }
    return CryptshareSimulatorApplication.builder().run(args);
  }

  /**
   * Finalizes an auto-session (the simulator must run with {@code simulator.auto-sessions=true})
   * and returns the status URL from {@code Location}. One token per sender, as a worker would.
   */
  public URI finalizeTransfer(String sender, String trackingId) {
    var token = tokens.computeIfAbsent(sender, s -> token(s, CLIENT_ID));
    var response = finalizeSession(sender, trackingId, CLIENT_ID, token);
    if (response.statusCode() != 201) {
      throw new IllegalStateException("finalize of " + trackingId + ": " + response.body());
    }
    return URI.create(response.headers().firstValue("Location").orElseThrow());
  }

  /** Seeds a session through the control API and finalizes it; the status URL. */
  public URI seedAndFinalize(String sender, String trackingId, String outcome, String processing) {
    seedSession(sender, trackingId, outcome, Duration.parse(processing));
    return finalizeTransfer(sender, trackingId);
  }

  /** Where the simulator answers the status of this transfer (whether it exists or not). */
  public URI statusUrl(String sender, String trackingId) {
    return baseUrl().resolve("/api/users/" + sender + "/transfers/" + trackingId);
  }

  @Override
  public void close() {
    context.close();
  }
}

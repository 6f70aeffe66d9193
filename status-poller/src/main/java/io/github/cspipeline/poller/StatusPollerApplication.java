package io.github.cspipeline.poller;

import io.github.cspipeline.model.ServiceDefaults;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Watches transfers in {@code PROCESSING} until Cryptshare reports a terminal state and publishes
 * that state as one terminal event.
 */
@SpringBootApplication
public class StatusPollerApplication {

  /** The management port: the poller's only HTTP port (health, metrics; ADR 026). */
  public static final int MANAGEMENT_PORT = 8083;

  /**
   * Defaults that do not depend on a configuration file, as Boot's default properties (the lowest
   * precedence: any configuration overrides them; ADR 031). Public so that the deployment checks
   * can compare manifests with them.
   */
  public static final Map<String, Object> DEFAULTS =
      ServiceDefaults.of(
          "status-poller",
          MANAGEMENT_PORT,
          // The poller serves no API: no web server but the management port (ADR 026).
          Map.of("server.port", "-1"));

  /** For in-process starts, e.g. beside the other services in the end-to-end tests. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(StatusPollerApplication.class).properties(DEFAULTS);
  }

  public static void main(String[] args) {
    builder().run(args);
  }
}

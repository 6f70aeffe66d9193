package io.github.cspipeline.poller;

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
   * Defaults that do not depend on a configuration file (the lowest-precedence property source; any
   * configuration overrides them). Public so that the deployment checks can compare manifests with
   * them.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("spring.application.name", "status-poller"),
          // The poller serves no API: no public web server, actuator on its own port (ADR 026).
          Map.entry("server.port", "-1"),
          Map.entry("management.server.port", String.valueOf(MANAGEMENT_PORT)),
          Map.entry("management.endpoints.web.exposure.include", "health,info,prometheus,metrics"),
          // Liveness and readiness groups on every platform, not only where Boot detects
          // Kubernetes.
          Map.entry("management.endpoint.health.probes.enabled", "true"),
          // One trace in ten is recorded where the poller starts one; every trace is propagated
          // all the same (ADR 020).
          Map.entry("management.tracing.sampling.probability", "0.1"));

  /** For in-process starts, e.g. beside the other services in the end-to-end tests. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(StatusPollerApplication.class).properties(DEFAULTS);
  }

  public static void main(String[] args) {
    builder().run(args);
  }
}

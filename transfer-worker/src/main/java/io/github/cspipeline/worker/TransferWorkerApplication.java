package io.github.cspipeline.worker;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class TransferWorkerApplication {

  /** The management port: the worker's only HTTP port (health, metrics; ADR 026). */
  public static final int MANAGEMENT_PORT = 8082;

  /**
   * Defaults that do not depend on a configuration file (the lowest-precedence property source; any
   * configuration overrides them). Public so that the deployment checks can compare manifests with
   * them.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("spring.application.name", "transfer-worker"),
          // The worker serves no API: no public web server, actuator on its own port (ADR 026).
          Map.entry("server.port", "-1"),
          Map.entry("management.server.port", String.valueOf(MANAGEMENT_PORT)),
          Map.entry("management.endpoints.web.exposure.include", "health,info,prometheus,metrics"),
          // Liveness and readiness groups on every platform, not only where Boot detects
          // Kubernetes.
          Map.entry("management.endpoint.health.probes.enabled", "true"),
          // The health endpoint shows each Cryptshare server's circuit.
          Map.entry("management.endpoint.health.show-details", "always"),
          // One trace in ten is recorded; every trace is propagated all the same (ADR 020).
          Map.entry("management.tracing.sampling.probability", "0.1"));

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The application, ready to run; the end-to-end tests start it in-process with this. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(TransferWorkerApplication.class).properties(DEFAULTS);
  }
}

package io.github.cspipeline.worker;

import io.github.cspipeline.model.ServiceDefaults;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class TransferWorkerApplication {

  /** The management port: the worker's only HTTP port (health, metrics; ADR 026). */
  public static final int MANAGEMENT_PORT = 8082;

  /**
   * Defaults that do not depend on a configuration file, as Boot's default properties (the lowest
   * precedence: any configuration overrides them; ADR 031). Public so that the deployment checks
   * can compare manifests with them.
   */
  public static final Map<String, Object> DEFAULTS =
      ServiceDefaults.of(
          "transfer-worker",
          MANAGEMENT_PORT,
          Map.of(
              // The worker serves no API: no web server but the management port (ADR 026).
              "server.port", "-1",
              // The health endpoint shows each Cryptshare server's circuit.
              "management.endpoint.health.show-details", "always"));

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The application, ready to run; the end-to-end tests start it in-process with this. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(TransferWorkerApplication.class).properties(DEFAULTS);
  }
}

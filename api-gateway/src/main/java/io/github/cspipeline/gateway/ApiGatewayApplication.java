package io.github.cspipeline.gateway;

import io.github.cspipeline.gateway.config.GatewayProperties;
import java.time.Clock;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class ApiGatewayApplication {

  /** The management port: actuator lives here, without a key, and nowhere on the public port. */
  public static final int MANAGEMENT_PORT = 8081;

  /**
   * Framework settings the gateway needs to behave as documented, as Boot's default properties (the
   * lowest precedence: any configuration overrides them; ADR 031). Public so that the deployment
   * checks can compare manifests with them.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("spring.application.name", "api-gateway"),
          // The public port: the REST API only (actuator is on the management port).
          Map.entry("server.port", "8080"),
          Map.entry("spring.threads.virtual.enabled", "true"),
          // Actuator on its own port (ADR 026): Prometheus and the orchestrator's probes need no
          // API key there, and the public port serves no actuator endpoint at all.
          Map.entry("management.server.port", String.valueOf(MANAGEMENT_PORT)),
          Map.entry("management.endpoints.web.exposure.include", "health,info,prometheus,metrics"),
          // Liveness and readiness groups on every platform, not only where Boot detects
          // Kubernetes.
          Map.entry("management.endpoint.health.probes.enabled", "true"),
          // Which checks failed is visible without a key; their details are not.
          Map.entry("management.endpoint.health.show-components", "always"),
          Map.entry("management.endpoint.health.group.readiness.include", "readinessState,kafka"),
          Map.entry("management.endpoint.health.group.liveness.include", "livenessState"),
          // One trace in ten is recorded (ADR 020); every trace is propagated all the same.
          Map.entry("management.tracing.sampling.probability", "0.1"),
          // The OpenAPI document is served at /v3/api-docs to callers with a credential; no UI.
          Map.entry("springdoc.swagger-ui.enabled", "false"),
          Map.entry("springdoc.paths-to-match", "/api/**"),
          Map.entry("springdoc.writer-with-order-by-keys", "true"));

  public static void main(String[] args) {
    builder().run(args);
  }

  /**
   * The application with its defaults: {@link #main}, in-process starts (the end-to-end tests) and
   * {@code @SpringBootTest(useMainMethod = ALWAYS)} all start it this way.
   */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(ApiGatewayApplication.class).properties(DEFAULTS);
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}

package io.github.cspipeline.gateway.config;

import io.github.cspipeline.gateway.ApiGatewayApplication;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Framework settings the gateway needs to behave as documented, as the lowest-precedence property
 * source: they hold with no {@code application.yml} at all (ADR 001), and any configuration
 * overrides them.
 */
public class GatewayDefaults implements EnvironmentPostProcessor, Ordered {

  /** The management port: actuator lives here, without a key, and nowhere on the public port. */
  public static final int MANAGEMENT_PORT = 8081;

  /** The defaults; public so that the deployment checks can compare manifests with them. */
  public static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("spring.application.name", "api-gateway"),
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

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    // Registered for the whole class path: other applications in the same JVM (the end-to-end
    // tests run all services in one) must not get the gateway's settings.
    if (!application.getAllSources().contains(ApiGatewayApplication.class)) {
      return;
    }
    environment.getPropertySources().addLast(new MapPropertySource("apiGatewayDefaults", DEFAULTS));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}

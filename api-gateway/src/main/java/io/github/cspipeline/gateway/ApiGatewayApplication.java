package io.github.cspipeline.gateway;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.model.ServiceDefaults;
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
      ServiceDefaults.of(
          "api-gateway",
          MANAGEMENT_PORT,
          Map.of(
              // The public port: the REST API only.
              "server.port", "8080",
              "spring.threads.virtual.enabled", "true",
              // Which checks failed is visible without a key; their details are not.
              "management.endpoint.health.show-components", "always",
              "management.endpoint.health.group.readiness.include", "readinessState,kafka",
              "management.endpoint.health.group.liveness.include", "livenessState",
              // The OpenAPI document is served at /v3/api-docs to callers with a credential; no
              // UI.
              "springdoc.swagger-ui.enabled", "false",
              "springdoc.paths-to-match", "/api/**",
              "springdoc.writer-with-order-by-keys", "true"));

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

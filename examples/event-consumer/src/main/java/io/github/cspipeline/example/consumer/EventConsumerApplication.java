package io.github.cspipeline.example.consumer;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * An example downstream consumer of {@code cryptshare.transfer.events}: reacts once to every
 * transfer's terminal event. Written from the public contract only (docs/asyncapi.yaml,
 * docs/schemas); it shares no code with the pipeline.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EventConsumerApplication {

  /** Health and metrics; the consumer serves nothing else over HTTP. */
  public static final int MANAGEMENT_PORT = 8086;

  /** Defaults that hold without a configuration file; any configuration overrides them. */
  public static final Map<String, Object> DEFAULTS =
      Map.of(
          "spring.application.name", "event-consumer",
          "server.port", "-1",
          "management.server.port", String.valueOf(MANAGEMENT_PORT),
          "management.endpoints.web.exposure.include", "health,info,prometheus,metrics",
          "management.endpoint.health.probes.enabled", "true",
          // Which component is down (transferEvents, diskSpace, ...), without their details.
          "management.endpoint.health.show-components", "always");

  /** For in-process starts, e.g. with a handler of the test's own in the end-to-end tests. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(EventConsumerApplication.class).properties(DEFAULTS);
  }

  public static void main(String[] args) {
    builder().run(args);
  }
}

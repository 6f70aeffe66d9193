package io.github.cspipeline.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

class StandaloneStartTest {

  @Test
  void starts_in_process_without_any_configuration_file_and_with_the_documented_defaults() {
    try (ConfigurableApplicationContext context =
        CryptshareSimulatorApplication.builder()
            .properties("server.port=0", "spring.config.name=none")
            .run()) {
      int port =
          Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
      SimulatorClient simulator = new SimulatorClient(port);

      JsonNode config = simulator.controlOk("GET", "/simulator/config", null);
      String token = simulator.token(SimulatorClient.SENDER);
      String trackingId = simulator.completeSession(SimulatorClient.SENDER, token);

      assertThat(config.get("autoSessions").asBoolean()).isFalse();
      assertThat(config.get("processingTime").asString()).isEqualTo("PT2S");
      assertThat(simulator.finalizeTransfer(SimulatorClient.SENDER, token, trackingId).status())
          .isEqualTo(201);
      assertThat(context.getEnvironment().getProperty("spring.application.name"))
          .isEqualTo("cryptshare-simulator");
    }
  }

  @Test
  void lets_the_caller_override_the_defaults_of_the_builder() {
    try (ConfigurableApplicationContext context =
        CryptshareSimulatorApplication.builder()
            .properties("server.port=0", "spring.config.name=none", "simulator.auto-sessions=true")
            .run()) {
      int port =
          Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));

      JsonNode config = new SimulatorClient(port).controlOk("GET", "/simulator/config", null);

      assertThat(config.get("autoSessions").asBoolean()).isTrue();
    }
  }
}

package io.github.cspipeline.simulator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.simulator.CryptshareSimulatorApplication;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.context.ConfigurableApplicationContext;

class SimulatorPropertiesTest {

  @Test
  void binds_the_documented_defaults_from_an_empty_configuration() {
    SimulatorProperties properties =
        new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("simulator", SimulatorProperties.class);

    assertThat(properties).isEqualTo(SimulatorProperties.defaults());
  }

  @Test
  void refuses_a_negative_processing_time() {
    assertThatThrownBy(
            () ->
                new SimulatorProperties(
                    false,
                    Duration.ofSeconds(-1),
                    0,
                    Duration.ofHours(1),
                    java.util.List.of(),
                    18,
                    Duration.ofDays(1),
                    "r@example.org",
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("processing-time");
  }

  @Test
  void refuses_to_start_with_a_failed_ratio_above_one() {
    assertThatThrownBy(
            () -> {
              try (ConfigurableApplicationContext ignored =
                  CryptshareSimulatorApplication.builder()
                      .properties(
                          "server.port=0", "spring.config.name=none", "simulator.failed-ratio=1.5")
                      .run()) {
                // not reached
              }
            })
        .hasStackTraceContaining("failedRatio");
  }
}

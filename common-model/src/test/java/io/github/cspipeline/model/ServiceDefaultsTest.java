package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceDefaultsTest {

  @Test
  void the_shared_settings_carry_name_and_management_port_and_an_application_overrides_any() {
    var defaults =
        ServiceDefaults.of(
            "svc",
            8089,
            Map.of("server.port", "-1", "management.tracing.sampling.probability", "1"));

    assertThat(defaults)
        .containsEntry("spring.application.name", "svc")
        .containsEntry("management.server.port", "8089")
        .containsEntry("management.endpoint.health.probes.enabled", "true")
        .containsEntry("server.port", "-1")
        .containsEntry("management.tracing.sampling.probability", "1");
  }
}

package io.github.cspipeline.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GatewayPropertiesTest {

  private static jakarta.validation.ValidatorFactory factory;
  private static Validator validator;

  @BeforeAll
  static void validator() {
    factory = Validation.buildDefaultValidatorFactory();
    validator = factory.getValidator();
  }

  @AfterAll
  static void close() {
    factory.close();
  }

  @Test
  void stream_bounds_and_heartbeat_must_be_positive() {
    var violations = validator.validate(new GatewayProperties.Sse(0, -1, Duration.ZERO));

    assertThat(violations)
        .extracting(v -> v.getPropertyPath().toString())
        .containsExactlyInAnyOrder("maxStreamsPerCaller", "maxStreams", "heartbeatPositive");
  }

  @Test
  void the_default_stream_settings_are_valid() {
    assertThat(validator.validate(new GatewayProperties.Sse(20, 1000, Duration.ofSeconds(15))))
        .extracting(ConstraintViolation::getMessage)
        .isEmpty();
  }
}

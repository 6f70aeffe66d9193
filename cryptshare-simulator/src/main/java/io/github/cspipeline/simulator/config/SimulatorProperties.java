package io.github.cspipeline.simulator.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the Cryptshare simulator (prefix {@code simulator}). Every default lives here and not
 * in an {@code application.yml}, because the simulator is also started in-process next to other
 * Spring Boot applications with {@code spring.config.name} pointing elsewhere.
 *
 * @param autoSessions whether a finalize of an unknown tracking id of a verified sender behaves as
 *     if a complete session with one uploaded file and one recipient existed; default {@code false}
 * @param processingTime how long a new transfer stays {@code PROCESSING} after its finalize;
 *     default {@code PT2S}
 * @param failedRatio share (0..1) of transfers without an explicit outcome that end {@code FAILED};
 *     default {@code 0.0}
 * @param tokenValidity how long a verification token is valid after it was issued; default {@code
 *     PT1H}
 * @param registeredClientIds client ids registered for client-id verification (a token without a
 *     verification code); empty, the default, registers every client id
 * @param apiMinorVersion the minor REST API version the simulator implements; a client requiring a
 *     higher one gets 404/2004; default {@code 18}
 * @param retentionPeriod how long a transfer stays retrievable after its finalize unless the
 *     session set an expiration date; default {@code P14D}
 * @param autoSessionRecipient the recipient of auto-sessions; default {@code recipient@example.org}
 * @param randomSeed seed of the random source behind outcomes and injected faults, for reproducible
 *     runs; default none
 */
@Validated
@ConfigurationProperties("simulator")
public record SimulatorProperties(
    @DefaultValue("false") boolean autoSessions,
    @DefaultValue("PT2S") @NotNull Duration processingTime,
    @DefaultValue("0.0") @DecimalMin("0.0") @DecimalMax("1.0") double failedRatio,
    @DefaultValue("PT1H") @NotNull Duration tokenValidity,
    @DefaultValue List<String> registeredClientIds,
    @DefaultValue("18") @Min(0) int apiMinorVersion,
    @DefaultValue("P14D") @NotNull Duration retentionPeriod,
    @DefaultValue("recipient@example.org") @NotBlank @Email String autoSessionRecipient,
    @Nullable Long randomSeed) {

  public SimulatorProperties {
    registeredClientIds = List.copyOf(registeredClientIds);
    requireNotNegative("simulator.processing-time", processingTime);
    requirePositive("simulator.token-validity", tokenValidity);
    requirePositive("simulator.retention-period", retentionPeriod);
  }

  /** The defaults, as if nothing was configured. */
  public static SimulatorProperties defaults() {
    return new SimulatorProperties(
        false,
        Duration.ofSeconds(2),
        0.0,
        Duration.ofHours(1),
        List.of(),
        18,
        Duration.ofDays(14),
        "recipient@example.org",
        null);
  }

  private static void requireNotNegative(String name, @Nullable Duration value) {
    if (value != null && value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
  }

  private static void requirePositive(String name, @Nullable Duration value) {
    if (value != null && (value.isNegative() || value.isZero())) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}

package io.github.cspipeline.poller.config;

import io.github.cspipeline.cryptshare.CryptshareServerProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the status-poller, under {@code cryptshare}. Everything but the servers has a
 * default, so the poller runs without any configuration file.
 *
 * @param servers the Cryptshare servers by id ({@code cryptshare.servers.<id>.base-url}, {@code
 *     .client-id}, ...); a {@code PROCESSING} event naming another server is dead-lettered. No
 *     default.
 * @param poller the poller's own settings ({@code cryptshare.poller.*})
 */
@Validated
@ConfigurationProperties("cryptshare")
public record PollerProperties(
    @NotEmpty Map<String, @Valid @NotNull CryptshareServerProperties> servers,
    @Valid @DefaultValue Poller poller) {

  /**
   * How transfers are watched.
   *
   * @param topics the Kafka topics
   * @param firstPollDelay how long after {@code PROCESSING} the first status poll happens, and the
   *     base of the backoff between later polls; default 1 s
   * @param backoffMultiplier factor between one poll interval and the next; default 2
   * @param backoffMax the longest interval between two polls; default 30 s (a {@code Retry-After}
   *     of the server may be longer and is honoured)
   * @param jitter fraction by which each interval is shortened at random, so that transfers
   *     finalized together do not poll together; default 0.2
   * @param watchDeadline how long after {@code PROCESSING} a transfer is watched before it ends
   *     {@code ABANDONED} with {@code WATCH_DEADLINE_PASSED}; default 24 h
   * @param notFoundLimit consecutive 404 answers to status polls after which a transfer ends {@code
   *     ABANDONED} with {@code TRANSFER_NOT_FOUND}; default 5
   * @param maxConcurrentPollsPerServer status requests in flight per Cryptshare server at most;
   *     default 8
   * @param tick how often the scheduler looks for due polls; default 100 ms
   */
  public record Poller(
      @Valid @DefaultValue Topics topics,
      @DefaultValue("1s") @DurationMin(millis = 1) Duration firstPollDelay,
      @DefaultValue("2.0") @DecimalMin("1.0") double backoffMultiplier,
      @DefaultValue("30s") @DurationMin(millis = 1) Duration backoffMax,
      @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0") double jitter,
      @DefaultValue("24h") @DurationMin(millis = 1) Duration watchDeadline,
      @DefaultValue("5") @Min(1) int notFoundLimit,
      @DefaultValue("8") @Min(1) int maxConcurrentPollsPerServer,
      @DefaultValue("100ms") @DurationMin(millis = 1) Duration tick) {}

  /**
   * Kafka topics.
   *
   * @param events transfer events: read for {@code PROCESSING} and terminal events, written with
   *     terminal events; default {@code cryptshare.transfer.events}
   * @param deadLetters events the poller cannot read or act on, with the reason in headers; default
   *     {@code cryptshare.status-poller.dlt}
   */
  public record Topics(
      @DefaultValue(io.github.cspipeline.model.Topics.TRANSFER_EVENTS) @NotBlank String events,
      @DefaultValue(io.github.cspipeline.model.Topics.POLLER_DEAD_LETTERS) @NotBlank
          String deadLetters) {}
}

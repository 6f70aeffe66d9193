package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.CryptshareServerProperties;
import io.github.cspipeline.model.Topics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything the transfer-worker can be configured with, under the prefix {@code cryptshare}. Kafka
 * connection settings are Spring Boot's own ({@code spring.kafka.*}).
 *
 * @param servers the Cryptshare servers by id ({@code cryptshare.servers.<id>.base-url}, {@code
 *     .client-id}, ...). At least one; each needs a client id, because the worker verifies senders
 *     in client-id mode. No defaults.
 * @param worker how the worker consumes, retries and publishes
 */
@Validated
@ConfigurationProperties("cryptshare")
public record WorkerProperties(
    @NotEmpty Map<String, @Valid CryptshareServerProperties> servers,
    @Valid @DefaultValue Worker worker) {

  /** The worker verifies senders itself, so a server without a client id is unusable. */
  @AssertTrue(message = "every cryptshare.servers.<id> needs a client-id")
  public boolean isEveryServerWithClientId() {
    return servers == null || servers.values().stream().allMatch(s -> s.clientId() != null);
  }

  /**
   * @param groupId Kafka consumer group of the finalize command consumers
   * @param concurrency consumer threads per instance; each processes the records of its polls
   *     concurrently
   * @param maxPollRecords the most commands one consumer works on at the same time
   * @param topics topic names and how the worker declares the topics it produces to
   * @param retry how transient Cryptshare failures are retried
   */
  public record Worker(
      @DefaultValue("transfer-worker") @NotBlank String groupId,
      @DefaultValue("1") @Min(1) @Max(64) int concurrency,
      @DefaultValue("50") @Min(1) @Max(1000) int maxPollRecords,
      @Valid @DefaultValue TopicSettings topics,
      @Valid @DefaultValue Retry retry) {}

  /**
   * @param commands the finalize commands to consume
   * @param events where transfer events are published
   * @param deadLetters where unreadable or invalid commands go, with the reason in headers
   * @param eventPartitions partitions of the events topic when the worker creates it
   * @param deadLetterPartitions partitions of the dead-letter topic when the worker creates it
   * @param replicationFactor replication of the topics the worker creates
   */
  public record TopicSettings(
      @DefaultValue(Topics.FINALIZE_COMMANDS) @NotBlank String commands,
      @DefaultValue(Topics.TRANSFER_EVENTS) @NotBlank String events,
      @DefaultValue(Topics.WORKER_DEAD_LETTERS) @NotBlank String deadLetters,
      @DefaultValue("6") @Min(1) int eventPartitions,
      @DefaultValue("1") @Min(1) int deadLetterPartitions,
      @DefaultValue("1") @Min(1) short replicationFactor) {}

  /**
   * Retries of transient failures (unreachable server, 5xx, 408, 429, lost answers). The delay
   * before retry {@code n} is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, of which
   * the second half is random; a longer {@code Retry-After} wins.
   *
   * @param budget total time one command may spend retrying before it ends {@code ABANDONED}
   * @param initialBackoff delay before the first retry
   * @param maxBackoff longest delay between two retries
   * @param multiplier growth of the delay per retry
   */
  public record Retry(
      @DefaultValue("10m") @DurationMin(millis = 1) Duration budget,
      @DefaultValue("1s") @DurationMin(millis = 1) Duration initialBackoff,
      @DefaultValue("1m") @DurationMin(millis = 1) Duration maxBackoff,
      @DefaultValue("2.0") @DecimalMin("1.0") double multiplier) {}
}

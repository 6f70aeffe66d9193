package io.github.cspipeline.example.consumer.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the example consumer, under {@code example-consumer}. Kafka connection settings
 * are Spring Boot's own ({@code spring.kafka.bootstrap-servers}, security, ...).
 *
 * @param topic the transfer events topic; default {@code cryptshare.transfer.events}
 * @param groupId this consumer's own consumer group (one per consuming service); default {@code
 *     example-consumer}
 * @param deadLetterTopic where records go that this consumer cannot handle, with the original key,
 *     value and headers and the reason in {@code kafka_dlt-*} headers; created at start with the
 *     broker's defaults; default {@code cryptshare.example-consumer.dlt}
 * @param dedupWindow how many handled event ids ({@code ce_id}) are remembered, most recently
 *     handled first, to drop redelivered events; about 150 bytes each; default 100 000
 * @param concurrency consumer threads; more than the topic's partitions idle; default 1
 * @param retry how often a record whose handler failed is tried again before it is dead-lettered
 */
@Validated
@ConfigurationProperties("example-consumer")
public record ConsumerProperties(
    @DefaultValue("cryptshare.transfer.events") @NotBlank String topic,
    @DefaultValue("example-consumer") @NotBlank String groupId,
    @DefaultValue("cryptshare.example-consumer.dlt") @NotBlank String deadLetterTopic,
    @DefaultValue("100000") @Min(1) @Max(10_000_000) int dedupWindow,
    @DefaultValue("1") @Min(1) int concurrency,
    @Valid @DefaultValue Retry retry) {

  /**
   * Retries of a failed handler, with exponential backoff (factor 2). A record the consumer cannot
   * read is never retried.
   *
   * @param maxRetries retries after the first attempt; default 3
   * @param initialInterval wait before the first retry; default 1 s
   * @param maxInterval longest wait between two attempts; default 10 s (keep the sum of the waits
   *     well below {@code max.poll.interval.ms}, 5 min by default: the consumer waits in the poll
   *     loop)
   */
  public record Retry(
      @DefaultValue("3") @Min(0) int maxRetries,
      @DefaultValue("1s") @DurationMin(millis = 1) Duration initialInterval,
      @DefaultValue("10s") @DurationMin(millis = 1) Duration maxInterval) {}

  /** Dead letters written back onto the events topic would come round again, forever. */
  @AssertTrue(message = "dead-letter-topic must differ from topic")
  public boolean isDeadLetterTopicApart() {
    return !deadLetterTopic.equals(topic);
  }
}

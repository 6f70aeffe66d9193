package io.github.cspipeline.deadletters;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * One record of a dead-letter topic, as Spring Kafka's {@code DeadLetterPublishingRecoverer} wrote
 * it: the original key, value and headers, plus {@code kafka_dlt-*} headers that say where it came
 * from and why it failed.
 *
 * @param deadLetteredAt the dead-letter record's timestamp: when it was set aside
 */
record DeadLetter(
    String topic,
    int partition,
    long offset,
    Instant deadLetteredAt,
    byte @Nullable [] key,
    byte @Nullable [] value,
    List<Header> headers) {

  /** Headers Spring Kafka adds to every dead letter; a replay drops them all. */
  static final String SPRING_PREFIX = "kafka_dlt-";

  /** Headers the pipeline's own recoverers add (the worker's reason); a replay drops them all. */
  static final String PIPELINE_PREFIX = "cryptshare_dlt-";

  static final String ORIGINAL_TOPIC = "kafka_dlt-original-topic";
  static final String ORIGINAL_PARTITION = "kafka_dlt-original-partition";
  static final String ORIGINAL_OFFSET = "kafka_dlt-original-offset";
  static final String ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";
  static final String EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";
  static final String EXCEPTION_MESSAGE = "kafka_dlt-exception-message";
  static final String EXCEPTION_STACKTRACE = "kafka_dlt-exception-stacktrace";
  static final String KEY_EXCEPTION_MESSAGE = "kafka_dlt-key-exception-message";

  /** The transfer-worker's reason, in words (its {@code KafkaConfiguration.DEAD_LETTER_REASON}). */
  static final String WORKER_REASON = "cryptshare_dlt-reason";

  DeadLetter {
    headers = List.copyOf(headers);
  }

  static DeadLetter of(ConsumerRecord<byte @Nullable [], byte @Nullable []> record) {
    return new DeadLetter(
        record.topic(),
        record.partition(),
        record.offset(),
        Instant.ofEpochMilli(record.timestamp()),
        record.key(),
        record.value(),
        List.of(record.headers().toArray()));
  }

  /** The key of its replay marker: {@code <topic>/<partition>/<offset>}. */
  String id() {
    return topic + "/" + partition + "/" + offset;
  }

  /** How it is printed and named on the command line: {@code <topic>-<partition>@<offset>}. */
  String label() {
    return topic + "-" + partition + "@" + offset;
  }

  @Nullable String keyText() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** The last header of that name, if any. */
  byte @Nullable [] header(String name) {
    byte[] found = null;
    for (var header : headers) {
      if (header.key().equals(name)) {
        found = header.value();
      }
    }
    return found;
  }

  @Nullable String headerText(String name) {
    var value = header(name);
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** The topic it was read from before it failed; null when the header is missing. */
  @Nullable String originalTopic() {
    return headerText(ORIGINAL_TOPIC);
  }

  Optional<Integer> originalPartition() {
    var value = header(ORIGINAL_PARTITION);
    return value != null && value.length == Integer.BYTES
        ? Optional.of(ByteBuffer.wrap(value).getInt())
        : Optional.empty();
  }

  Optional<Long> originalOffset() {
    return longHeader(ORIGINAL_OFFSET);
  }

  Optional<Instant> originalTimestamp() {
    return longHeader(ORIGINAL_TIMESTAMP).map(Instant::ofEpochMilli);
  }

  /**
   * Why it was set aside: the worker's own reason when there is one, else the exception's message
   * (for a key that could not be read, that one), else its class.
   */
  String reason() {
    for (var name : List.of(WORKER_REASON, EXCEPTION_MESSAGE, KEY_EXCEPTION_MESSAGE)) {
      var text = headerText(name);
      if (text != null && !text.isBlank() && !text.equals("null")) {
        return text;
      }
    }
    var type = headerText(EXCEPTION_FQCN);
    return type != null ? type : "(no reason given)";
  }

  private Optional<Long> longHeader(String name) {
    var value = header(name);
    return value != null && value.length == Long.BYTES
        ? Optional.of(ByteBuffer.wrap(value).getLong())
        : Optional.empty();
  }
}

package io.github.cspipeline.deadletters;

import io.github.cspipeline.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * What a replay writes: the dead letter again, as its consumer first read it, and a marker on the
 * replays topic that remembers it (ADR 029).
 */
final class Replays {

  /** The replays topic: compacted, key {@code <dead-letter topic>/<partition>/<offset>}. */
  static final String DEFAULT_TOPIC = "cryptshare.dead-letter-tool.replays";

  /**
   * Added to every replayed record: where it was replayed from ({@code
   * <topic>/<partition>/<offset>}), for an operator and for the consumer's logs.
   */
  static final String REPLAYED_FROM = "cryptshare_replayed-from";

  /**
   * The memory of one replay.
   *
   * @param deadLetter the dead letter's id ({@link DeadLetter#id()})
   * @param topic where it was replayed to
   * @param partition its partition there
   * @param offset its offset there
   * @param replayedAt when
   */
  record Marker(String deadLetter, String topic, int partition, long offset, Instant replayedAt) {

    String target() {
      return topic + "-" + partition + "@" + offset;
    }
  }

  private Replays() {}

  /**
   * The record a replay sends: the original key, value and headers on the original topic, without
   * the headers that describe the failure ({@code kafka_dlt-*}, {@code cryptshare_dlt-*}) and with
   * {@value #REPLAYED_FROM}. CloudEvents headers ({@code ce_*}) and {@code traceparent} travel as
   * they came, so the record keeps its identity and its trace.
   *
   * @param partition the partition to write to; null lets the key choose
   */
  static ProducerRecord<byte @Nullable [], byte @Nullable []> replayOf(
      DeadLetter letter, String topic, @Nullable Integer partition) {
    var headers = new RecordHeaders();
    for (var header : letter.headers()) {
      if (carriedOver(header.key())) {
        headers.add(header.key(), header.value());
      }
    }
    headers.add(REPLAYED_FROM, letter.id().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, partition, letter.key(), letter.value(), headers);
  }

  /** Whether a dead letter's header goes with its replay. */
  static boolean carriedOver(String header) {
    return !header.startsWith(DeadLetter.SPRING_PREFIX)
        && !header.startsWith(DeadLetter.PIPELINE_PREFIX)
        && !header.equals(REPLAYED_FROM);
  }

  static ProducerRecord<byte[], byte[]> markerRecord(String replaysTopic, Marker marker) {
    return new ProducerRecord<>(
        replaysTopic,
        marker.deadLetter().getBytes(StandardCharsets.UTF_8),
        WireFormat.mapper().writeValueAsBytes(marker));
  }

  static Marker markerOf(byte[] value) {
    return WireFormat.mapper().readValue(value, Marker.class);
  }
}

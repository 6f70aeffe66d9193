package io.github.cspipeline.poller.it;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.publish.EventRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One events topic as the tests see it: publishes {@code PROCESSING} events the way the worker
 * does, and reads every committed event (read_committed, as the contract's consumers should).
 */
public final class EventLog implements AutoCloseable {

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Seen> seen = new ArrayList<>();

  /** An event read back, with the partition it was in and whether the poller published it. */
  public record Seen(TransferEvent event, int partition, boolean byPoller) {}

  public EventLog(String bootstrapServers, String topic) {
    this.topic = topic;
    producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", bootstrapServers, "acks", "all", "enable.idempotence", true),
            new StringSerializer(),
            new ByteArraySerializer());
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
  }

  public void processing(String server, String sender, String trackingId, java.net.URI statusUrl) {
    var event = TransferEvent.processing(server, sender, trackingId, Instant.now(), statusUrl);
    var record =
        new ProducerRecord<>(topic, trackingId, WireFormat.mapper().writeValueAsBytes(event));
    CloudEvents.addHeaders(
        record.headers(),
        event.eventId(),
        TransferEvent.CLOUD_EVENT_TYPE,
        "/cryptshare-pipeline/it",
        event.occurredAt());
    producer.send(record);
  }

  public void flush() {
    producer.flush();
  }

  /** Reads what arrived since the last call; returns everything read so far. */
  public synchronized List<Seen> read() {
    for (var record : consumer.poll(Duration.ofMillis(200))) {
      var source = record.headers().lastHeader(CloudEvents.SOURCE);
      boolean byPoller =
          source != null
              && EventRecords.SOURCE.equals(new String(source.value(), StandardCharsets.UTF_8));
      seen.add(
          new Seen(
              WireFormat.mapper().readValue(record.value(), TransferEvent.class),
              record.partition(),
              byPoller));
    }
    return List.copyOf(seen);
  }

  /** The terminal events read so far of one transfer. */
  public List<Seen> terminal(String trackingId) {
    return read().stream()
        .filter(s -> s.event().trackingId().equals(trackingId))
        .filter(s -> s.event().state().isTerminal())
        .toList();
  }

  /** How many of these transfers have at least one terminal event so far. */
  public long terminalCount(List<String> trackingIds) {
    var all = read();
    return trackingIds.stream()
        .filter(
            id ->
                all.stream()
                    .anyMatch(
                        s -> s.event().trackingId().equals(id) && s.event().state().isTerminal()))
        .count();
  }

  @Override
  public void close() {
    producer.close();
    consumer.close();
  }
}

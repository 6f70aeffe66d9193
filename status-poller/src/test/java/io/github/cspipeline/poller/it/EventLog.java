package io.github.cspipeline.poller.it;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Traceparent;
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
import org.jspecify.annotations.Nullable;

/**
 * One events topic as the tests see it: publishes {@code PROCESSING} events the way the worker
 * does, and reads every committed event (read_committed, as the contract's consumers should).
 */
public final class EventLog implements AutoCloseable {

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Seen> seen = new ArrayList<>();

  /**
   * An event read back, with the partition it was in, whether the poller published it, and its
   * record's {@code traceparent} header (null without).
   */
  public record Seen(
      TransferEvent event, int partition, boolean byPoller, @Nullable String traceparent) {}

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
    processing(server, sender, trackingId, statusUrl, null);
  }

  /** A {@code PROCESSING} event whose record carries {@code traceparent}, when not null. */
  public void processing(
      String server,
      String sender,
      String trackingId,
      java.net.URI statusUrl,
      @Nullable String traceparent) {
    publish(
        TransferEvent.processing(server, sender, trackingId, Instant.now(), statusUrl),
        traceparent);
  }

  /** An event as the worker publishes it, e.g. one a test altered. */
  public void publish(TransferEvent event, @Nullable String traceparent) {
    var trackingId = event.trackingId();
    var record =
        new ProducerRecord<>(topic, trackingId, WireFormat.mapper().writeValueAsBytes(event));
    CloudEvents.addHeaders(
        record.headers(),
        event.eventId(),
        TransferEvent.CLOUD_EVENT_TYPE,
        "/cryptshare-pipeline/it",
        event.occurredAt());
    if (traceparent != null) {
      record.headers().add(Traceparent.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    producer.send(record);
  }

  public void flush() {
    producer.flush();
  }

  /** Reads what arrived since the last call; returns everything read so far. */
  public synchronized List<Seen> read() {
    for (var record : consumer.poll(Duration.ofMillis(50))) {
      var source = record.headers().lastHeader(CloudEvents.SOURCE);
      var traceparent = record.headers().lastHeader(Traceparent.HEADER);
      boolean byPoller =
          source != null
              && EventRecords.SOURCE.equals(new String(source.value(), StandardCharsets.UTF_8));
      seen.add(
          new Seen(
              WireFormat.mapper().readValue(record.value(), TransferEvent.class),
              record.partition(),
              byPoller,
              traceparent == null
                  ? null
                  : new String(traceparent.value(), StandardCharsets.UTF_8)));
    }
    return List.copyOf(seen);
  }

  /** The terminal events of one transfer, after reading what arrived. */
  public List<Seen> terminal(String trackingId) {
    return terminalEvents().getOrDefault(trackingId, List.of());
  }

  /** Every transfer's terminal events, after reading what arrived. */
  public Map<String, List<Seen>> terminalEvents() {
    var byTransfer = new java.util.HashMap<String, List<Seen>>();
    for (var seen : read()) {
      if (seen.event().state().isTerminal()) {
        byTransfer.computeIfAbsent(seen.event().trackingId(), id -> new ArrayList<>()).add(seen);
      }
    }
    return byTransfer;
  }

  /** How many of these transfers have at least one terminal event so far. */
  public long terminalCount(List<String> trackingIds) {
    var terminal = terminalEvents();
    return trackingIds.stream().filter(terminal::containsKey).count();
  }

  /** Whether each of these transfers has exactly one terminal event so far. */
  public boolean exactlyOneTerminalEach(List<String> trackingIds) {
    var terminal = terminalEvents();
    return trackingIds.stream().allMatch(id -> terminal.getOrDefault(id, List.of()).size() == 1);
  }

  @Override
  public void close() {
    producer.close();
    consumer.close();
  }
}

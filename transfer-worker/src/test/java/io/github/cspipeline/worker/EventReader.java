package io.github.cspipeline.worker;

import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the start, committed records only, as downstream consumers should. */
public final class EventReader implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<byte[]> values = new ArrayList<>();
  private final List<TransferEvent> events = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

  public EventReader(String bootstrapServers, String topic) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                // The worker may create the topic after this subscribes; see its partitions soon.
                ConsumerConfig.METADATA_MAX_AGE_CONFIG,
                1000),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
  }

  /** Reads what arrived since the last call. */
  public synchronized List<TransferEvent> poll() {
    for (var record : consumer.poll(Duration.ofMillis(100))) {
      values.add(record.value());
      records.add(record);
      events.add(WireFormat.mapper().readValue(record.value(), TransferEvent.class));
    }
    return List.copyOf(events);
  }

  /** The records of one transfer read so far (with their headers), keyed by its tracking id. */
  public synchronized List<ConsumerRecord<String, byte[]>> recordsOf(String trackingId) {
    poll();
    return records.stream().filter(r -> trackingId.equals(r.key())).toList();
  }

  /** Every raw value read so far, without parsing them as events. */
  public synchronized List<byte[]> rawValuesUnparsed() {
    for (var record : consumer.poll(Duration.ofMillis(100))) {
      values.add(record.value());
      records.add(record);
    }
    return List.copyOf(values);
  }

  /** Every raw value read so far. */
  public synchronized List<byte[]> rawValues() {
    poll();
    return List.copyOf(values);
  }

  public List<TransferEvent> eventsOf(String trackingId) {
    return poll().stream().filter(e -> e.trackingId().equals(trackingId)).toList();
  }

  /** Waits until every tracking id has an event. */
  public void awaitEvents(List<String> trackingIds, Duration atMost) {
    await()
        .pollInSameThread()
        .pollInterval(Duration.ofMillis(50))
        .atMost(atMost)
        .until(
            () -> {
              var seen = poll().stream().map(TransferEvent::trackingId).toList();
              return seen.containsAll(trackingIds);
            });
  }

  public TransferEvent awaitEvent(String trackingId, Duration atMost) {
    awaitEvents(List.of(trackingId), atMost);
    return eventsOf(trackingId).getFirst();
  }

  @Override
  public synchronized void close() {
    consumer.close();
  }
}

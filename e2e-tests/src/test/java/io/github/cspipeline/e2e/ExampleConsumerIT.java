package io.github.cspipeline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.example.consumer.EventConsumerApplication;
import io.github.cspipeline.example.consumer.event.ConsumerMetrics;
import io.github.cspipeline.example.consumer.event.TransferEvent;
import io.github.cspipeline.example.consumer.event.TransferEventHandler;
import io.github.cspipeline.example.consumer.event.TransferEventListener;
import io.github.cspipeline.model.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * The example consumer (examples/event-consumer) against the real pipeline: it handles every
 * transfer's terminal event exactly once although its events come again, by redelivery after a
 * handler failure, as copies on the topic (what a re-announcement or a replay from a dead-letter
 * topic looks like) and after its group's offsets are reset.
 */
class ExampleConsumerIT {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final String GROUP = "e2e-example-consumer";

  private static final Recorder recorder = new Recorder();
  @RegisterExtension static final Pipeline pipeline = Pipeline.onEmbeddedKafka();
  private static ConfigurableApplicationContext consumer;

  @BeforeAll
  static void start() {
    consumer =
        EventConsumerApplication.builder()
            // The outside team's own handler: any TransferEventHandler bean replaces the logging
            // one.
            .initializers(c -> c.getBeanFactory().registerSingleton("recorder", recorder))
            .run(
                "--spring.config.name=e2e-none",
                "--management.server.port=0",
                "--spring.kafka.bootstrap-servers=" + pipeline.bootstrapServers(),
                "--example-consumer.group-id=" + GROUP,
                "--example-consumer.retry.initial-interval=100ms");
  }

  @AfterAll
  static void stop() {
    if (consumer != null) {
      consumer.close();
    }
  }

  @Test
  void every_transfer_is_handled_exactly_once_though_its_events_come_again() throws Exception {
    var active = List.of(newTrackingId(), newTrackingId(), newTrackingId());
    var failed = newTrackingId();
    var rejected = newTrackingId();
    // The first attempt at the first transfer fails after the handler has seen it: the consumer
    // retries the record (the container seeks back to it), and only then counts it handled.
    recorder.failOnce(active.getFirst());
    seedSession(failed, "FAILED");
    var unverified = "unverified-" + UUID.randomUUID() + "@example.com";
    assertThat(
            pipeline.simulator.call(
                "PUT", "/simulator/senders/" + unverified, "{\"verified\": false}"))
        .extracting(r -> r.statusCode() / 100)
        .isEqualTo(2);
    for (var trackingId : active) {
      assertThat(pipeline.finalize("alice@example.com", trackingId).statusCode()).isEqualTo(202);
    }
    assertThat(pipeline.finalize("alice@example.com", failed).statusCode()).isEqualTo(202);
    assertThat(pipeline.finalize(unverified, rejected).statusCode()).isEqualTo(202);
    var transfers = new ArrayList<>(active);
    transfers.add(failed);
    transfers.add(rejected);

    await().atMost(PATIENCE).until(() -> transfers.stream().allMatch(recorder::handledAny));

    // (a) Copies of every terminal event, as they were: same key, value and headers (ce_id).
    var terminal =
        committedEvents().stream()
            .filter(r -> !"PROCESSING".equals(header(r, "ce_transferstate")))
            .toList();
    assertThat(terminal)
        .extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrderElementsOf(transfers);
    republish(terminal);
    await().atMost(PATIENCE).until(() -> processed("duplicate") == terminal.size());

    // (b) Everything again: the group's offsets go back to the start of the topic.
    var registry = consumer.getBean(KafkaListenerEndpointRegistry.class);
    var container = registry.getListenerContainer(TransferEventListener.ID);
    assertThat(container).isNotNull();
    container.stop();
    resetGroupToTheBeginning();
    container.start();
    var records = committedEvents().size();
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                processed("handled") + processed("skipped") + processed("duplicate")
                    == 2 * records);

    for (var trackingId : active) {
      assertThat(recorder.handled(trackingId)).as(trackingId).containsExactly("onActive:ACTIVE");
      assertThat(recorder.lastActive.get(trackingId).recipients())
          .isNotEmpty()
          .allMatch(r -> r.downloadUrl() != null);
    }
    assertThat(recorder.handled(failed)).containsExactly("onFailed:FAILED");
    assertThat(recorder.handled(rejected)).containsExactly("onEndedWithoutDownloads:REJECTED");
    assertThat(recorder.attempts(active.getFirst())).isEqualTo(2);
    assertThat(transfers.subList(1, transfers.size())).allMatch(t -> recorder.attempts(t) == 1);
    // Copies once, then originals and copies again after the reset.
    assertThat(processed("duplicate")).isEqualTo(3 * terminal.size());
    assertThat(processed("handled")).isEqualTo(transfers.size());
    assertThat(processed("dead-lettered")).isZero();
  }

  /** Records per tracking id what its handler completed; fails a transfer's first attempt. */
  static final class Recorder implements TransferEventHandler {

    private final Map<String, List<String>> handled = new ConcurrentHashMap<>();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final Set<String> failOnce = ConcurrentHashMap.newKeySet();
    private final Map<String, TransferEvent> lastActive = new ConcurrentHashMap<>();

    void failOnce(String trackingId) {
      failOnce.add(trackingId);
    }

    boolean handledAny(String trackingId) {
      return handled.containsKey(trackingId);
    }

    List<String> handled(String trackingId) {
      return List.copyOf(handled.getOrDefault(trackingId, List.of()));
    }

    int attempts(String trackingId) {
      return attempts.getOrDefault(trackingId, 0);
    }

    @Override
    public void onActive(TransferEvent event) {
      handle("onActive", event);
      lastActive.put(event.trackingId(), event);
    }

    @Override
    public void onFailed(TransferEvent event) {
      handle("onFailed", event);
    }

    @Override
    public void onEndedWithoutDownloads(TransferEvent event) {
      handle("onEndedWithoutDownloads", event);
    }

    private void handle(String method, TransferEvent event) {
      attempts.merge(event.trackingId(), 1, Integer::sum);
      if (failOnce.remove(event.trackingId())) {
        throw new IllegalStateException("downstream hiccup for " + event.trackingId());
      }
      handled
          .computeIfAbsent(event.trackingId(), k -> new CopyOnWriteArrayList<>())
          .add(method + ":" + event.state());
    }
  }

  private static String newTrackingId() {
    return TransferScenarios.newTrackingId();
  }

  private static void seedSession(String trackingId, String outcome) {
    var seeded =
        pipeline.simulator.call(
            "POST",
            "/simulator/sessions",
            """
            {"sender": "alice@example.com", "trackingId": "%s", "recipients": ["bob@example.org"],
             "files": [{"name": "a.pdf", "size": 10, "uploaded": true}],
             "outcome": "%s", "processingTime": "PT1S"}"""
                .formatted(trackingId, outcome));
    assertThat(seeded.statusCode()).isEqualTo(201);
  }

  /** Records the consumer counted with this outcome, all states together. */
  private static long processed(String outcome) {
    return Math.round(
        consumer
            .getBean(MeterRegistry.class)
            .find(ConsumerMetrics.EVENTS)
            .tag("outcome", outcome)
            .counters()
            .stream()
            .mapToDouble(Counter::count)
            .sum());
  }

  /** Every record of committed transactions on the events topic, read from the beginning. */
  private static List<ConsumerRecord<String, byte[]>> committedEvents() {
    var config = new HashMap<String, Object>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var reader =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions = partitions(reader);
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      var ends = reader.endOffsets(partitions);
      var records = new ArrayList<ConsumerRecord<String, byte[]>>();
      var deadline = System.nanoTime() + PATIENCE.toNanos();
      while (partitions.stream().anyMatch(p -> reader.position(p) < ends.get(p))) {
        assertThat(System.nanoTime()).as("read the events topic in time").isLessThan(deadline);
        reader.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private static void republish(List<ConsumerRecord<String, byte[]>> records) throws Exception {
    var config =
        Map.<String, Object>of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers());
    try (var producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      for (var r : records) {
        producer
            .send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value(), r.headers()))
            .get();
      }
    }
  }

  /** Works on a group without members only: the listener is stopped meanwhile. */
  private static void resetGroupToTheBeginning() throws Exception {
    try (var admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers()))) {
      var config =
          Map.<String, Object>of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers());
      List<TopicPartition> partitions;
      try (var probe =
          new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
        partitions = partitions(probe);
      }
      await()
          .atMost(PATIENCE)
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  admin
                      .alterConsumerGroupOffsets(
                          GROUP,
                          partitions.stream()
                              .collect(Collectors.toMap(p -> p, p -> new OffsetAndMetadata(0))))
                      .all()
                      .get());
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer) {
    return consumer.partitionsFor(Topics.TRANSFER_EVENTS).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition()))
        .toList();
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }
}

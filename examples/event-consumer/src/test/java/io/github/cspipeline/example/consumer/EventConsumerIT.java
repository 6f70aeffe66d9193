package io.github.cspipeline.example.consumer;

import static io.github.cspipeline.example.consumer.EventFixtures.DEAD_LETTERS;
import static io.github.cspipeline.example.consumer.EventFixtures.TOPIC;
import static io.github.cspipeline.example.consumer.EventFixtures.TYPE_V1;
import static io.github.cspipeline.example.consumer.EventFixtures.event;
import static io.github.cspipeline.example.consumer.EventFixtures.newTrackingId;
import static io.github.cspipeline.example.consumer.EventFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.example.consumer.EventFixtures.RecordingHandler;
import io.github.cspipeline.example.consumer.event.ConsumerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The consumer against an embedded KRaft broker (random port), fed records as the pipeline writes
 * them. All tests share one topic partition, so a record sent after another is consumed after it:
 * once the later one is handled, the earlier one is done with.
 */
@EmbeddedKafka(
    partitions = 1,
    topics = {TOPIC, DEAD_LETTERS},
    brokerProperties = {
      // A one-node broker must keep the transaction log on its one node.
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1"
    })
class EventConsumerIT {

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final int MAX_RETRIES = 2;

  private static final RecordingHandler handler = new RecordingHandler();
  private static String bootstrapServers;
  private static ConfigurableApplicationContext app;
  private static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void start(EmbeddedKafkaBroker broker) {
    bootstrapServers = broker.getBrokersAsString();
    producer =
        new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
    app =
        EventConsumerApplication.builder()
            .initializers(
                context -> context.getBeanFactory().registerSingleton("recordingHandler", handler))
            .run(
                "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                "--management.server.port=0",
                "--example-consumer.retry.max-retries=" + MAX_RETRIES,
                "--example-consumer.retry.initial-interval=50ms",
                "--example-consumer.retry.max-interval=100ms");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (producer != null) {
      producer.close();
    }
  }

  @Test
  void handles_terminal_events_and_skips_others_by_header_without_reading_them() {
    var trackingId = newTrackingId();
    var skippedBefore = count("skipped", "PROCESSING") + count("skipped", "ACTIVE");
    // Neither value is JSON: read, they would be dead-lettered.
    send(record(trackingId, "PROCESSING", TYPE_V1, uuid(), bytes("not json")));
    send(record(trackingId, "ACTIVE", "io.example.unknown.v9", uuid(), bytes("not json")));
    send(event(trackingId, "ACTIVE"));
    var failed = newTrackingId();
    send(event(failed, "FAILED"));
    var rejected = newTrackingId();
    send(event(rejected, "REJECTED"));

    await().atMost(PATIENCE).until(() -> !handler.handled(rejected).isEmpty());

    assertThat(handler.handled(trackingId)).containsExactly("onActive:ACTIVE");
    assertThat(handler.handled(failed)).containsExactly("onFailed:FAILED");
    assertThat(handler.handled(rejected)).containsExactly("onEndedWithoutDownloads:REJECTED");
    assertThat(count("skipped", "PROCESSING") + count("skipped", "ACTIVE") - skippedBefore)
        .isEqualTo(2);
    assertThat(deadLetters(trackingId)).isEmpty();
  }

  @Test
  void an_event_delivered_twice_is_handled_once() {
    var trackingId = newTrackingId();
    var duplicatesBefore = count("duplicate", "ACTIVE");
    var active = event(trackingId, "ACTIVE");
    send(active);
    send(active);
    var marker = newTrackingId();
    send(event(marker, "FAILED"));

    await().atMost(PATIENCE).until(() -> !handler.handled(marker).isEmpty());

    assertThat(handler.handled(trackingId)).containsExactly("onActive:ACTIVE");
    assertThat(handler.attempts(trackingId)).isEqualTo(1);
    assertThat(count("duplicate", "ACTIVE") - duplicatesBefore).isEqualTo(1);
  }

  @Test
  void a_handler_that_fails_once_is_retried_and_its_event_handled_once() {
    var trackingId = newTrackingId();
    handler.failTimes(trackingId, 1);

    send(event(trackingId, "ACTIVE"));

    await().atMost(PATIENCE).until(() -> !handler.handled(trackingId).isEmpty());
    assertThat(handler.handled(trackingId)).containsExactly("onActive:ACTIVE");
    assertThat(handler.attempts(trackingId)).isEqualTo(2);
    assertThat(deadLetters(trackingId)).isEmpty();
  }

  @Test
  void a_handler_that_keeps_failing_is_retried_then_its_record_dead_lettered_as_it_came() {
    var trackingId = newTrackingId();
    handler.failTimes(trackingId, Integer.MAX_VALUE);
    var failedBefore = count("failed", "ACTIVE");
    var deadLetteredBefore = count("dead-lettered", "ACTIVE");
    var original = event(trackingId, "ACTIVE");

    send(original);

    var deadLetter = awaitDeadLetter(trackingId);
    assertThat(handler.attempts(trackingId)).isEqualTo(1 + MAX_RETRIES);
    assertThat(handler.handled(trackingId)).isEmpty();
    assertThat(deadLetter.value()).isEqualTo(original.value());
    for (var header : original.headers()) {
      assertThat(header(deadLetter, header.key())).as(header.key()).hasValue(text(header));
    }
    assertThat(header(deadLetter, "kafka_dlt-original-topic")).hasValue(TOPIC);
    assertThat(header(deadLetter, "kafka_dlt-exception-message"))
        .hasValue("downstream unavailable for " + trackingId);
    assertThat(count("failed", "ACTIVE") - failedBefore).isEqualTo(1 + MAX_RETRIES);
    assertThat(count("dead-lettered", "ACTIVE") - deadLetteredBefore).isEqualTo(1);
    // ... and carries on with the next record.
    var next = newTrackingId();
    send(event(next, "ACTIVE"));
    await().atMost(PATIENCE).until(() -> !handler.handled(next).isEmpty());
  }

  @Test
  void an_unreadable_value_is_dead_lettered_at_once() {
    var trackingId = newTrackingId();
    var failedBefore = count("failed", "ACTIVE");
    var original = record(trackingId, "ACTIVE", TYPE_V1, uuid(), bytes("{\"schemaVersion\": 1"));

    send(original);

    var deadLetter = awaitDeadLetter(trackingId);
    assertThat(deadLetter.value()).isEqualTo(original.value());
    assertThat(header(deadLetter, "ce_id")).isEqualTo(header(original.headers(), "ce_id"));
    assertThat(header(deadLetter, "kafka_dlt-exception-fqcn"))
        .hasValue("io.github.cspipeline.example.consumer.event.InvalidEventException");
    assertThat(handler.attempts(trackingId)).isZero();
    assertThat(count("failed", "ACTIVE") - failedBefore).as("one attempt, no retry").isEqualTo(1);
  }

  @Test
  void events_of_an_aborted_transaction_are_not_handled() {
    var aborted = newTrackingId();
    var committed = newTrackingId();
    var config = producerConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + uuid());
    try (var transactional =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      transactional.initTransactions();
      transactional.beginTransaction();
      transactional.send(event(aborted, "ACTIVE"));
      transactional.flush();
      transactional.abortTransaction();
      transactional.beginTransaction();
      transactional.send(event(committed, "ACTIVE"));
      transactional.commitTransaction();
    }

    await().atMost(PATIENCE).until(() -> !handler.handled(committed).isEmpty());
    assertThat(handler.attempts(aborted)).isZero();
  }

  @Test
  void reports_its_listener_in_health_and_its_counts_in_prometheus() throws Exception {
    var trackingId = newTrackingId();
    send(event(trackingId, "ACTIVE"));
    await().atMost(PATIENCE).until(() -> !handler.handled(trackingId).isEmpty());

    var health = management("/actuator/health");
    var prometheus = management("/actuator/prometheus");

    assertThat(health).contains("\"transferEvents\":{\"status\":\"UP\"");
    assertThat(prometheus)
        .contains("example_consumer_events_total{outcome=\"handled\",state=\"ACTIVE\"}");
  }

  private static String management(String path) throws Exception {
    var port = app.getEnvironment().getRequiredProperty("local.management.port");
    try (var http = HttpClient.newHttpClient()) {
      var answer =
          http.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(path).isEqualTo(200);
      return answer.body();
    }
  }

  private static Map<String, Object> producerConfig() {
    var config = new java.util.HashMap<String, Object>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  private static void send(ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double count(String outcome, String state) {
    var counter =
        app.getBean(MeterRegistry.class)
            .find(ConsumerMetrics.EVENTS)
            .tags("outcome", outcome, "state", state)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static ConsumerRecord<String, byte[]> awaitDeadLetter(String trackingId) {
    return await()
        .atMost(PATIENCE)
        .until(() -> deadLetters(trackingId), records -> !records.isEmpty())
        .getFirst();
  }

  /** The dead letters of a transfer written so far. */
  private static List<ConsumerRecord<String, byte[]>> deadLetters(String trackingId) {
    var config = new java.util.HashMap<String, Object>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(DEAD_LETTERS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var ends = consumer.endOffsets(partitions);
      var found = new ArrayList<ConsumerRecord<String, byte[]>>();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (trackingId.equals(record.key())) {
            found.add(record);
          }
        }
      }
      return found;
    }
  }

  private static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
    return header(record.headers(), name);
  }

  private static Optional<String> header(Iterable<Header> headers, String name) {
    Header last = null;
    for (var header : headers) {
      if (header.key().equals(name)) {
        last = header;
      }
    }
    return Optional.ofNullable(last).map(EventConsumerIT::text);
  }

  private static String text(Header header) {
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String uuid() {
    return UUID.randomUUID().toString();
  }
}

package io.github.cspipeline.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.config.PollerProperties;
import io.github.cspipeline.poller.poll.PollerMetrics;
import io.github.cspipeline.poller.poll.TransferPoller;
import io.github.cspipeline.poller.publish.EventRecords;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.github.cspipeline.testkit.StubCryptshare;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The poller against an embedded Kafka broker and a stub Cryptshare, started the way the end-to-end
 * test starts it: without a configuration file, with only the keys it passes.
 */
@SpringBootTest(
    useMainMethod = SpringBootTest.UseMainMethod.ALWAYS,
    properties = {
      "spring.config.name=status-poller-it-without-config-file",
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "server.port=0",
      "management.server.port=0",
      "cryptshare.poller.first-poll-delay=50ms",
      "cryptshare.poller.backoff-max=200ms",
      "cryptshare.poller.tick=20ms"
    })
@EmbeddedKafka(
    partitions = 2,
    topics = Topics.TRANSFER_EVENTS,
    brokerProperties = {
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1"
    })
class StatusPollerIT {

  private static final String SENDER = "alice@example.com";
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private static final StubCryptshare cryptshare = PollerFixtures.cryptshare();

  @DynamicPropertySource
  static void cryptshare(DynamicPropertyRegistry registry) {
    registry.add("cryptshare.servers.default.base-url", () -> cryptshare.baseUrl().toString());
    registry.add("cryptshare.servers.default.client-id", () -> PollerFixtures.CLIENT_ID);
  }

  @AfterAll
  static void stopCryptshare() {
    cryptshare.close();
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired MeterRegistry meters;
  @Autowired WatchIndex watchIndex;
  @Autowired HealthEndpoint health;

  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> events;
  private KafkaConsumer<String, byte[]> deadLetters;
  private final List<ConsumerRecord<String, byte[]>> seenEvents = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> seenDeadLetters = new ArrayList<>();

  @BeforeEach
  void connect() {
    var producerProps = KafkaTestUtils.producerProps(broker);
    producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    events = reader(Topics.TRANSFER_EVENTS);
    deadLetters = reader(PollerProperties.DEAD_LETTERS_TOPIC);
  }

  @AfterEach
  void disconnect() {
    producer.close();
    events.close();
    deadLetters.close();
  }

  private KafkaConsumer<String, byte[]> reader(String topic) {
    Map<String, Object> props =
        KafkaTestUtils.consumerProps(broker, "it-reader-" + UUID.randomUUID(), false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private void send(String key, byte[] value, @Nullable String traceparent) {
    var record = new ProducerRecord<String, byte[]>(Topics.TRANSFER_EVENTS, key, value);
    if (traceparent != null) {
      record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
    }
    producer.send(record);
    producer.flush();
  }

  private void send(TransferEvent event) {
    var record =
        CloudEvents.record(
            Topics.TRANSFER_EVENTS,
            event.trackingId(),
            WireFormat.mapper().writeValueAsBytes(event),
            event.eventId(),
            TransferEvent.CLOUD_EVENT_TYPE,
            "/cryptshare-pipeline/it",
            event.occurredAt());
    record.headers().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
    producer.send(record);
    producer.flush();
  }

  private static URI statusUrlOf(String trackingId) {
    return PollerFixtures.statusUrl(cryptshare.baseUrl(), SENDER, trackingId);
  }

  private void sendProcessing(String trackingId, URI statusUrl) {
    send(TransferEvent.processing("default", SENDER, trackingId, Instant.now(), statusUrl));
  }

  /** Records the poller published for a transfer, read so far. */
  private List<ConsumerRecord<String, byte[]>> publishedByPoller(String trackingId) {
    seenEvents.addAll(toList(events.poll(Duration.ofMillis(100))));
    return seenEvents.stream()
        .filter(r -> trackingId.equals(r.key()))
        .filter(r -> EventRecords.SOURCE.equals(header(r, CloudEvents.SOURCE)))
        .toList();
  }

  private List<ConsumerRecord<String, byte[]>> deadLettersWithKey(String key) {
    seenDeadLetters.addAll(toList(deadLetters.poll(Duration.ofMillis(100))));
    return seenDeadLetters.stream().filter(r -> key.equals(r.key())).toList();
  }

  private static <K, V> List<ConsumerRecord<K, V>> toList(Iterable<ConsumerRecord<K, V>> records) {
    var list = new ArrayList<ConsumerRecord<K, V>>();
    records.forEach(list::add);
    return list;
  }

  private static @Nullable String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static TransferEvent eventOf(ConsumerRecord<String, byte[]> record) {
    return WireFormat.mapper().readValue(record.value(), TransferEvent.class);
  }

  /** Waits for the poller's terminal event of a transfer and checks it stays the only one. */
  private TransferEvent theOneTerminalEvent(String trackingId) {
    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !publishedByPoller(trackingId).isEmpty());
    var polls = cryptshare.statusCalls(trackingId);
    // No sleep: Awaitility checks for a while that nothing more happens.
    await()
        .pollInSameThread()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                cryptshare.statusCalls(trackingId) == polls
                    && publishedByPoller(trackingId).size() == 1);
    var record = publishedByPoller(trackingId).getFirst();
    var event = eventOf(record);
    assertThat(record.key()).isEqualTo(trackingId);
    assertThat(header(record, CloudEvents.ID)).isEqualTo(event.eventId().toString());
    assertThat(header(record, CloudEvents.TYPE)).isEqualTo(TransferEvent.CLOUD_EVENT_TYPE);
    assertThat(header(record, CloudEvents.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(record, CloudEvents.SUBJECT)).isEqualTo(trackingId);
    assertThat(header(record, CloudEvents.DATA_SCHEMA))
        .isEqualTo(TransferEvent.DATA_SCHEMA.toString());
    assertThat(header(record, CloudEvents.TRANSFER_STATE)).isEqualTo(event.state().name());
    assertThat(header(record, "traceparent"))
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        .isNotEqualTo(TRACEPARENT);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf("default", trackingId, event.state()));
    assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.sender()).isEqualTo(SENDER);
    return event;
  }

  @Test
  void publishes_exactly_one_active_event_after_cryptshare_answered_processing_twice() {
    var id = "20261126-101500-Active01";
    var downloadUrl = "https://cs.example.com/download/" + id + "/bob";
    cryptshare.onStatus(
        id,
        StubCryptshare.state("PROCESSING"),
        StubCryptshare.state("PROCESSING"),
        StubCryptshare.active(downloadUrl));

    sendProcessing(id, statusUrlOf(id));

    var event = theOneTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf("default", id, TransferState.ACTIVE));
    assertThat(event.statusUrl()).isEqualTo(statusUrlOf(id));
    assertThat(event.cryptshareState()).isEqualTo("ACTIVE");
    assertThat(event.warnings()).isTrue();
    assertThat(event.recipients())
        .singleElement()
        .satisfies(
            recipient -> {
              assertThat(recipient.mail()).isEqualTo("bob@example.org");
              assertThat(recipient.downloadUrl()).isEqualTo(URI.create(downloadUrl));
            });
    assertThat(cryptshare.statusCalls(id)).isEqualTo(3);
    assertThat(meters.find(PollerMetrics.POLLS).tag("outcome", "processing").counter()).isNotNull();
    assertThat(meters.find(PollerMetrics.POLLS).tag("outcome", "terminal").counter()).isNotNull();
    assertThat(meters.find(PollerMetrics.TIME_TO_TERMINAL).tag("state", "ACTIVE").timer())
        .isNotNull();
    assertThat(meters.find(PollerMetrics.POLL_LATENCY).tag("server", "default").timer())
        .isNotNull();
    assertThat(meters.find(PollerMetrics.WATCHED).gauge()).isNotNull();
  }

  @Test
  void publishes_failed_when_cryptshare_processing_failed() {
    var id = "20261126-101500-Failed01";
    cryptshare.onStatus(id, StubCryptshare.state("PROCESSING"), StubCryptshare.state("FAILED"));

    sendProcessing(id, statusUrlOf(id));

    var event = theOneTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.FAILED);
    assertThat(event.cryptshareState()).isEqualTo("FAILED");
  }

  @Test
  void publishes_deleted_for_a_transfer_an_administrator_deleted() {
    var id = "20261126-101500-Deleted1";
    cryptshare.onStatus(id, StubCryptshare.state("DELETED_BY_ADMIN"));

    sendProcessing(id, statusUrlOf(id));

    var event = theOneTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.DELETED);
    assertThat(event.cryptshareState()).isEqualTo("DELETED_BY_ADMIN");
  }

  @Test
  void abandons_a_foreign_status_url_without_sending_it_or_cryptshare_any_request() {
    var id = "20261126-101500-Foreign1";
    var foreign = URI.create("https://evil.example.net/api/users/" + SENDER + "/transfers/" + id);

    sendProcessing(id, foreign);

    var event = theOneTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error()).isNotNull();
    assertThat(event.error().code()).isEqualTo(TransferPoller.FOREIGN_STATUS_URL);
    assertThat(cryptshare.requests()).noneMatch(request -> request.path().contains(id));
  }

  @Test
  void waits_as_long_as_retry_after_says_before_polling_again() {
    var id = "20261126-101500-RetryAft";
    cryptshare.onStatus(
        id,
        StubCryptshare.error(429, 2007, "stub error 429", "Retry-After", "2"),
        StubCryptshare.active("https://cs.example.com/d/1"));

    sendProcessing(id, statusUrlOf(id));

    assertThat(theOneTerminalEvent(id).state()).isEqualTo(TransferState.ACTIVE);
    var calls = cryptshare.statusCallTimes(id);
    assertThat(calls).hasSize(2);
    // Without Retry-After the backoff here is at most 200 ms.
    assertThat(Duration.ofNanos(calls.get(1) - calls.get(0)))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void stops_watching_when_another_publisher_reports_the_terminal_state() {
    var id = "20261126-101500-Elsewhr1";
    cryptshare.onStatus(id, StubCryptshare.state("PROCESSING"));
    sendProcessing(id, statusUrlOf(id));
    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cryptshare.statusCalls(id) >= 2);

    send(
        TransferEvent.of(
                "default",
                SENDER,
                id,
                TransferState.ACTIVE,
                TransferState.PROCESSING,
                Instant.now())
            .withStatusUrl(statusUrlOf(id)));

    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(30))
        .until(() -> watchIndex.get(new TransferKey("default", id)).isEmpty());
    var polls = cryptshare.statusCalls(id);
    await()
        .pollInSameThread()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(5))
        .until(() -> cryptshare.statusCalls(id) <= polls + 1);
    assertThat(publishedByPoller(id)).isEmpty();
  }

  @Test
  void dead_letters_a_poison_record_and_handles_the_next_event() {
    var poison = "{ this is not a transfer event".getBytes(StandardCharsets.UTF_8);
    send("poison-1", poison, null);
    var id = "20261126-101500-AfterPsn";
    cryptshare.onStatus(id, StubCryptshare.state("ACTIVE"));
    sendProcessing(id, statusUrlOf(id));

    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !deadLettersWithKey("poison-1").isEmpty());
    var deadLetter = deadLettersWithKey("poison-1").getFirst();
    assertThat(deadLetter.value()).isEqualTo(poison);
    assertThat(header(deadLetter, "kafka_dlt-exception-fqcn")).isNotBlank();
    assertThat(header(deadLetter, "kafka_dlt-original-topic")).isEqualTo(Topics.TRANSFER_EVENTS);
    assertThat(meters.find("cryptshare.poller.dead.letters").counters()).isNotEmpty();
    assertThat(theOneTerminalEvent(id).state()).isEqualTo(TransferState.ACTIVE);
  }

  @Test
  void dead_letters_events_that_cannot_key_a_watch_without_retrying_them() {
    // A PROCESSING event without statusUrl or of an unconfigured server is watched now (ADR 022
    // addendum, UnconfiguredServerIT); only events that cannot key a watch are dead-lettered.
    var blankSender = "20261126-101500-Blank001";
    send(
        TransferEvent.processing(
            "default", " ", blankSender, Instant.now(), statusUrlOf(blankSender)));
    var malformed = "20261126 101500 Bad!";
    send(TransferEvent.processing("default", SENDER, malformed, Instant.now(), statusUrlOf("x")));

    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !deadLettersWithKey(blankSender).isEmpty()
                    && !deadLettersWithKey(malformed).isEmpty());
    assertThat(deadLettersWithKey(blankSender))
        .singleElement()
        .satisfies(
            record -> {
              assertThat(header(record, "kafka_dlt-exception-message")).contains("sender");
              assertThat(eventOf(record).trackingId()).isEqualTo(blankSender);
            });
    assertThat(deadLettersWithKey(malformed))
        .singleElement()
        .satisfies(
            record ->
                assertThat(header(record, "kafka_dlt-exception-message")).contains("trackingId"));
    assertThat(cryptshare.requests())
        .noneMatch(
            request -> request.path().contains(blankSender) || request.path().contains("Bad"));
  }

  @Test
  void reports_itself_healthy() {
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
  }
}

package io.github.cspipeline.worker;

import static io.github.cspipeline.testkit.StubCryptshare.after;
import static io.github.cspipeline.testkit.StubCryptshare.error;
import static io.github.cspipeline.testkit.StubCryptshare.finalizePath;
import static io.github.cspipeline.testkit.StubCryptshare.finalized;
import static io.github.cspipeline.testkit.StubCryptshare.statusPath;
import static io.github.cspipeline.worker.WorkerFixtures.CLIENT_ID;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.testkit.StubCryptshare;
import io.github.cspipeline.worker.config.KafkaConfiguration;
import io.github.cspipeline.worker.config.WorkerProperties;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.cspipeline.worker.finalize.InvalidCommandException;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/**
 * The worker as the end-to-end tests start it (in-process, no configuration file, only the contract
 * keys plus shorter retries), against an embedded Kafka broker and a stub Cryptshare.
 */
@EmbeddedKafka(partitions = 3, topics = Topics.FINALIZE_COMMANDS)
@ExtendWith(OutputCaptureExtension.class)
class TransferWorkerIT {

  static final byte[] KEY = new byte[32];

  static StubCryptshare cryptshare;
  static ConfigurableApplicationContext worker;
  static KafkaProducer<String, byte[]> commands;
  static Consumer<String, byte[]> events;
  static Consumer<String, byte[]> deadLetters;
  static final List<ConsumerRecord<String, byte[]>> seenEvents = new ArrayList<>();
  static final List<ConsumerRecord<String, byte[]>> seenDeadLetters = new ArrayList<>();

  @BeforeAll
  static void start(EmbeddedKafkaBroker broker) throws Exception {
    cryptshare = Workers.cryptshare();
    worker =
        TransferWorkerApplication.builder()
            .run(
                "--spring.config.name=transfer-worker-it-has-no-config-file",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--cryptshare.servers.default.base-url=" + cryptshare.baseUrl(),
                "--cryptshare.servers.default.client-id=" + CLIENT_ID,
                "--management.server.port=0",
                "--cryptshare.worker.servers.default.retry.initial-backoff=100ms",
                "--cryptshare.worker.servers.default.retry.max-backoff=200ms",
                "--cryptshare.worker.servers.default.retry.budget=5s",
                // Decisions are announced again for any new command (the default waits a day).
                "--cryptshare.worker.reannounce-after=0s",
                "--cryptshare.worker.servers.default.circuit-breaker.wait-in-open-state=500ms",
                "--cryptshare.worker.unknown-server-budget=3s",
                "--cryptshare.worker.credential-keys.k1=" + Base64.getEncoder().encodeToString(KEY),
                "--logging.level.io.github.cspipeline=DEBUG");
    commands =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.getBrokersAsString(),
                ProducerConfig.LINGER_MS_CONFIG,
                200),
            new StringSerializer(),
            new ByteArraySerializer());
    events = consumer(broker, Topics.TRANSFER_EVENTS);
    deadLetters = consumer(broker, WorkerProperties.DEAD_LETTERS_TOPIC);
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (commands != null) {
      commands.close();
    }
    if (events != null) {
      events.close();
    }
    if (deadLetters != null) {
      deadLetters.close();
    }
    if (cryptshare != null) {
      cryptshare.close();
    }
  }

  static Consumer<String, byte[]> consumer(EmbeddedKafkaBroker broker, String topic) {
    Map<String, Object> config =
        KafkaTestUtils.consumerProps(broker, "it-" + UUID.randomUUID(), false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  static void send(String key, byte[] value) {
    commands.send(new ProducerRecord<>(Topics.FINALIZE_COMMANDS, key, value));
    commands.flush();
  }

  static void sendToPartitionZero(FinalizeCommand command) {
    commands.send(
        new ProducerRecord<>(Topics.FINALIZE_COMMANDS, 0, command.trackingId(), json(command)));
    commands.flush();
  }

  static void send(FinalizeCommand command) {
    send(command.trackingId(), json(command));
  }

  static byte[] json(FinalizeCommand command) {
    return WireFormat.mapper().writeValueAsBytes(command);
  }

  static FinalizeCommand command(String trackingId) {
    return FinalizeCommand.of(Instant.now(), "default", SENDER, trackingId, null);
  }

  static ConsumerRecord<String, byte[]> awaitRecord(
      Consumer<String, byte[]> consumer,
      List<ConsumerRecord<String, byte[]>> seen,
      Predicate<ConsumerRecord<String, byte[]>> match) {
    return await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
              return seen.stream().filter(match).findFirst();
            },
            Optional::isPresent)
        .orElseThrow();
  }

  static TransferEvent awaitEvent(String trackingId) {
    var record = awaitRecord(events, seenEvents, r -> trackingId.equals(r.key()));
    return WireFormat.mapper().readValue(record.value(), TransferEvent.class);
  }

  static ConsumerRecord<String, byte[]> awaitDeadLetter(String key) {
    return awaitRecord(deadLetters, seenDeadLetters, r -> key.equals(r.key()));
  }

  static String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  static double finalizeCount(String outcome) {
    var counter =
        worker
            .getBean(MeterRegistry.class)
            .find(FinalizeMetrics.FINALIZE)
            .tags("server", "default", "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void an_accepted_finalize_becomes_a_processing_event_with_the_status_url() {
    var trackingId = trackingId();

    send(command(trackingId));

    var record = awaitRecord(events, seenEvents, r -> trackingId.equals(r.key()));
    var event = WireFormat.mapper().readValue(record.value(), TransferEvent.class);
    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl())
        .isEqualTo(URI.create(cryptshare.baseUrl() + statusPath(SENDER, trackingId)));
    assertThat(event.sender()).isEqualTo(SENDER);
    assertThat(event.server()).isEqualTo("default");
    assertThat(header(record, CloudEvents.ID)).isEqualTo(event.eventId().toString());
    assertThat(header(record, CloudEvents.SOURCE))
        .isEqualTo("/cryptshare-pipeline/transfer-worker");
    assertThat(header(record, CloudEvents.TYPE)).isEqualTo(TransferEvent.CLOUD_EVENT_TYPE);
    assertThat(header(record, CloudEvents.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(record, CloudEvents.SUBJECT)).isEqualTo(trackingId);
    assertThat(header(record, CloudEvents.DATA_SCHEMA))
        .isEqualTo(TransferEvent.DATA_SCHEMA.toString());
    assertThat(header(record, CloudEvents.TRANSFER_STATE)).isEqualTo("PROCESSING");
    var finalize = cryptshare.requests("POST", finalizePath(SENDER, trackingId));
    assertThat(finalize)
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.header("X-CS-ClientId")).isEqualTo(CLIENT_ID);
              assertThat(cryptshare.issuedTokens())
                  .contains(request.header("X-CS-VerificationToken"));
            });
    assertThat(finalizeCount("processing")).isPositive();
  }

  @Test
  void a_rule_violation_becomes_a_rejected_event_with_cryptshares_error() {
    var trackingId = trackingId();
    cryptshare.on(
        "POST", finalizePath(SENDER, trackingId), error(409, 2001, "A file is not uploaded"));

    send(command(trackingId));

    var event = awaitEvent(trackingId);
    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.statusUrl()).isNull();
    assertThat(event.error())
        .isEqualTo(new TransferError("CRYPTSHARE_REJECTED", "A file is not uploaded", 409, 2001));
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, trackingId))).hasSize(1);
  }

  @Test
  void two_server_errors_then_success_end_in_processing() {
    var trackingId = trackingId();
    cryptshare.on(
        "POST",
        finalizePath(SENDER, trackingId),
        error(503, 5000, "Busy"),
        error(503, 5000, "Busy", "Retry-After", "0"),
        finalized());

    send(command(trackingId));

    assertThat(awaitEvent(trackingId).state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, trackingId))).hasSize(3);
    assertThat(
            worker
                .getBean(MeterRegistry.class)
                .get(FinalizeMetrics.RETRIES)
                .tags("server", "default", "cause", "server_error")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void an_unreachable_budget_ends_in_abandoned_with_the_last_error() {
    var trackingId = trackingId();
    cryptshare.on("POST", finalizePath(SENDER, trackingId), error(503, 5000, "Unavailable"));

    send(command(trackingId));

    var event = awaitEvent(trackingId);
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error().code()).isEqualTo("RETRY_BUDGET_SPENT");
    assertThat(event.error().httpStatus()).isEqualTo(503);
  }

  @Test
  void a_bad_gateway_on_finalize_is_checked_like_a_lost_answer_and_not_finalized_twice() {
    var trackingId = trackingId();
    // The proxy answered 502, but the finalize had reached Cryptshare: the transfer exists.
    cryptshare.on("POST", finalizePath(SENDER, trackingId), error(502, 5000, "Bad gateway"));

    send(command(trackingId));

    assertThat(awaitEvent(trackingId).state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, trackingId))).hasSize(1);
    assertThat(cryptshare.requests("GET", statusPath(SENDER, trackingId))).hasSize(1);
  }

  @Test
  void poison_records_go_to_the_dead_letter_topic_and_the_next_command_is_still_processed() {
    var unreadable = "poison-" + UUID.randomUUID();
    var badTrackingId = "poison-" + UUID.randomUUID();
    var valid = trackingId();

    send(unreadable, "{ this is not json".getBytes(StandardCharsets.UTF_8));
    send(
        badTrackingId,
        json(FinalizeCommand.of(Instant.now(), "default", SENDER, "../" + badTrackingId, null)));
    send(command(valid));

    var dead = awaitDeadLetter(unreadable);
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{ this is not json");
    assertThat(header(dead, KafkaConfiguration.DEAD_LETTER_REASON))
        .contains("unreadable value", "Unexpected character");
    assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_FQCN))
        .isEqualTo(DeserializationException.class.getName());
    assertThat(header(dead, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.FINALIZE_COMMANDS);
    // A tracking id that breaks the rules cannot key an event: the gateway never accepts it.
    var unkeyable = awaitDeadLetter(badTrackingId);
    assertThat(header(unkeyable, KafkaConfiguration.DEAD_LETTER_REASON))
        .contains("trackingId must be 1-64 of [A-Za-z0-9_-]");
    assertThat(header(unkeyable, KafkaHeaders.DLT_EXCEPTION_FQCN))
        .isEqualTo(InvalidCommandException.class.getName());
    assertThat(awaitEvent(valid).state()).isEqualTo(TransferState.PROCESSING);
    pollMore();
    assertThat(seenEvents)
        .noneMatch(r -> r.key().equals(unreadable) || r.key().endsWith(badTrackingId));
    assertThat(
            worker
                .getBean(MeterRegistry.class)
                .get(FinalizeMetrics.FINALIZE)
                .tags("outcome", "dead_letter")
                .counters())
        .isNotEmpty();
  }

  /** Reads what else is there, so that "nothing more" can be asserted. */
  static void pollMore() {
    for (int i = 0; i < 5; i++) {
      events.poll(Duration.ofMillis(200)).forEach(seenEvents::add);
      deadLetters.poll(Duration.ofMillis(200)).forEach(seenDeadLetters::add);
    }
  }

  static long seen(List<ConsumerRecord<String, byte[]>> seen, String key) {
    return seen.stream().filter(r -> key.equals(r.key())).count();
  }

  /** Sends the command again, then a marker behind it; returns once the marker is decided. */
  static void repeatAndWait(FinalizeCommand command) {
    var marker = trackingId();
    sendToPartitionZero(command);
    sendToPartitionZero(command(marker));
    assertThat(awaitEvent(marker).state()).isEqualTo(TransferState.PROCESSING);
    pollMore();
  }

  @Test
  void a_command_for_a_server_this_worker_does_not_know_ends_abandoned_once_its_budget_is_spent() {
    var trackingId = trackingId();
    var command = FinalizeCommand.of(Instant.now(), "nowhere", SENDER, trackingId, null);
    var started = Instant.now();

    sendToPartitionZero(command);

    var event = awaitEvent(trackingId);
    var took = Duration.between(started, Instant.now());
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.server()).isEqualTo("nowhere");
    assertThat(event.error().code()).isEqualTo("SERVER_NOT_CONFIGURED");
    assertThat(event.error().message()).contains("'nowhere' is not configured", "PT3S");
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, trackingId))).isEmpty();
    assertThat(
            worker
                .getBean(MeterRegistry.class)
                .get(FinalizeMetrics.FINALIZE)
                .tags("server", FinalizeMetrics.UNKNOWN_SERVER, "outcome", "abandoned")
                .counter()
                .count())
        .isPositive();
    assertThat(
            worker
                .getBean(MeterRegistry.class)
                .get(FinalizeMetrics.AWAITING_CONFIGURATION)
                .tag("reason", "server_not_configured")
                .gauge()
                .value())
        .isZero();

    repeatAndWait(command);

    assertThat(seen(seenEvents, trackingId)).isEqualTo(1);
    assertThat(seen(seenDeadLetters, trackingId)).isZero();
    System.out.printf(
        "[measure] unknown server, budget 3 s: ABANDONED SERVER_NOT_CONFIGURED after %d ms%n",
        took.toMillis());
  }

  @Test
  void
      a_command_with_an_invalid_sender_ends_rejected_plus_a_dead_letter_and_a_repeat_adds_nothing() {
    var trackingId = trackingId();
    var command =
        FinalizeCommand.of(Instant.now(), "default", "\"a@b\"@example.com", trackingId, null);

    sendToPartitionZero(command);

    var record = awaitRecord(events, seenEvents, r -> trackingId.equals(r.key()));
    var event = WireFormat.mapper().readValue(record.value(), TransferEvent.class);
    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.sender()).isEqualTo("\"a@b\"@example.com");
    assertThat(event.error())
        .isEqualTo(
            new TransferError("INVALID_COMMAND", "sender must be an email address", null, null));
    assertThat(header(record, CloudEvents.TYPE)).isEqualTo(TransferEvent.CLOUD_EVENT_TYPE);
    assertThat(header(record, CloudEvents.TRANSFER_STATE)).isEqualTo("REJECTED");
    var dead = awaitDeadLetter(trackingId);
    assertThat(header(dead, KafkaConfiguration.DEAD_LETTER_REASON))
        .contains("sender must be an email address");
    assertThat(cryptshare.requests("POST", finalizePath("\"a@b\"@example.com", trackingId)))
        .isEmpty();

    repeatAndWait(command);

    assertThat(seen(seenEvents, trackingId)).isEqualTo(1);
    assertThat(seen(seenDeadLetters, trackingId)).isEqualTo(1);
  }

  @Test
  void a_credential_of_a_key_this_worker_lacks_ends_abandoned_and_one_no_key_decrypts_rejected() {
    var unknownKey = trackingId();
    var tampered = trackingId();

    send(
        unknownKey,
        json(
            FinalizeCommand.of(
                Instant.now(),
                "default",
                SENDER,
                unknownKey,
                new CredentialCipher(Map.of("k9", new byte[32]), "k9")
                    .encrypt("callers-token", "default", SENDER, unknownKey))));
    send(
        tampered,
        json(
            FinalizeCommand.of(
                Instant.now(),
                "default",
                SENDER,
                tampered,
                // Made for another transfer with the worker's own key.
                new CredentialCipher(Map.of("k1", KEY), "k1")
                    .encrypt("callers-token", "default", SENDER, unknownKey))));

    var rejected = awaitEvent(tampered);
    assertThat(rejected.state()).isEqualTo(TransferState.REJECTED);
    assertThat(rejected.error().code()).isEqualTo("CREDENTIAL_INVALID");
    assertThat(rejected.error().message()).doesNotContain("callers-token");
    assertThat(header(awaitDeadLetter(tampered), KafkaConfiguration.DEAD_LETTER_REASON))
        .contains("credential cannot be used")
        .doesNotContain("callers-token");
    var abandoned = awaitEvent(unknownKey);
    assertThat(abandoned.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(abandoned.error().code()).isEqualTo("CREDENTIAL_KEY_UNKNOWN");
    assertThat(abandoned.error().message()).contains("'k9'").doesNotContain("callers-token");
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, unknownKey))).isEmpty();
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, tampered))).isEmpty();
  }

  @Test
  void a_slow_transfer_does_not_hold_up_later_commands_of_its_partition() {
    var slow = trackingId();
    var fast = trackingId();
    var release = new CountDownLatch(1);
    cryptshare.on("POST", finalizePath(SENDER, slow), after(release, finalized()));

    commands.send(new ProducerRecord<>(Topics.FINALIZE_COMMANDS, 0, slow, json(command(slow))));
    commands.flush();
    try {
      // The slow finalize is in flight (and its offset committed) before the next command comes.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !cryptshare.requests("POST", finalizePath(SENDER, slow)).isEmpty());
      commands.send(new ProducerRecord<>(Topics.FINALIZE_COMMANDS, 0, fast, json(command(fast))));
      commands.flush();

      assertThat(awaitEvent(fast).state()).isEqualTo(TransferState.PROCESSING);
      assertThat(seenEvents).noneMatch(r -> slow.equals(r.key()));
    } finally {
      release.countDown();
    }
    assertThat(awaitEvent(slow).state()).isEqualTo(TransferState.PROCESSING);
  }

  @Test
  void a_redelivered_command_is_not_finalized_again_and_publishes_nothing_new() {
    var trackingId = trackingId();
    var command = command(trackingId);
    sendToPartitionZero(command);
    assertThat(awaitEvent(trackingId).state()).isEqualTo(TransferState.PROCESSING);
    var marker = trackingId();

    sendToPartitionZero(command);
    sendToPartitionZero(command(marker));

    // The marker comes after the repeat on the same partition: once it is decided, the repeat
    // was taken in too.
    assertThat(awaitEvent(marker).state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, trackingId))).hasSize(1);
    assertThat(seenEvents.stream().filter(r -> trackingId.equals(r.key()))).hasSize(1);
    assertThat(finalizeCount("duplicate")).isPositive();
  }

  // Item 2l of issue 9: a gateway that no longer knows a transfer (its topics' retention passed)
  // sends a new command for it; publishing nothing left its caller at ACCEPTED forever.
  @Test
  void a_decided_transfer_requested_again_by_a_new_command_gets_its_decision_announced_again() {
    var trackingId = trackingId();
    sendToPartitionZero(command(trackingId));
    var first = awaitEvent(trackingId);
    assertThat(first.state()).isEqualTo(TransferState.PROCESSING);

    sendToPartitionZero(command(trackingId));

    var announced =
        await()
            .pollInSameThread()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  events.poll(Duration.ofMillis(100)).forEach(seenEvents::add);
                  return seenEvents.stream().filter(r -> trackingId.equals(r.key())).toList();
                },
                records -> records.size() == 2);
    var again = WireFormat.mapper().readValue(announced.get(1).value(), TransferEvent.class);
    assertThat(again).isEqualTo(first);
    assertThat(header(announced.get(1), CloudEvents.ID)).isEqualTo(first.eventId().toString());
    assertThat(cryptshare.requests("POST", finalizePath(SENDER, trackingId))).hasSize(1);
  }

  @Test
  void the_client_id_and_verification_tokens_never_appear_in_the_log(CapturedOutput output) {
    var trackingId = trackingId();
    cryptshare.on(
        "POST",
        finalizePath(SENDER, trackingId),
        error(401, 3002, "Invalid verification token"),
        finalized());

    send(command(trackingId));

    assertThat(awaitEvent(trackingId).state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.issuedTokens()).isNotEmpty();
    assertThat(output.getAll()).contains(trackingId).doesNotContain(CLIENT_ID);
    for (var token : cryptshare.issuedTokens()) {
      assertThat(output.getAll()).doesNotContain(token);
    }
  }

  @Test
  void health_and_metrics_are_exposed_over_http() throws Exception {
    var port = worker.getEnvironment().getProperty("local.management.port");
    try (var http = HttpClient.newHttpClient()) {
      var health =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("UP");
    }
  }
}

package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SCOPED_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EmbeddedKafka(partitions = 1)
class FinalizationApiIT {

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add(
        "spring.kafka.bootstrap-servers",
        () -> System.getProperty("spring.embedded.kafka.brokers"));
    for (String p : GatewayFixtures.properties()) {
      var kv = p.split("=", 2);
      registry.add(kv[0], () -> kv[1]);
    }
  }

  @Value("${local.server.port}")
  int port;

  @Autowired EmbeddedKafkaBroker broker;

  private Consumer<String, String> commands;

  @BeforeEach
  void subscribeToCommands() {
    Map<String, Object> config =
        KafkaTestUtils.consumerProps(broker, "test-" + UUID.randomUUID(), false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    commands =
        new DefaultKafkaConsumerFactory<>(
                config, new StringDeserializer(), new StringDeserializer())
            .createConsumer();
    commands.subscribe(List.of(Topics.FINALIZE_COMMANDS));
    // Join the group and fix the position before a test sends anything.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              commands.poll(Duration.ofMillis(100));
              return !commands.assignment().isEmpty();
            });
    commands.seekToEnd(commands.assignment());
    commands.assignment().forEach(commands::position);
  }

  @AfterEach
  void close() {
    commands.close();
  }

  @Test
  void accepts_a_finalize_request_and_emits_one_command_with_cloud_event_headers() {
    var trackingId = "20261126-101500-" + UUID.randomUUID().toString().substring(0, 8);

    var response = post(port, KEY, body("alice@example.com", trackingId));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.headers().firstValue("Location"))
        .hasValue("/api/v1/transfers/" + trackingId + "?server=default");
    var answer = WireFormat.mapper().readTree(response.body());
    assertThat(answer.path("state").asString()).isEqualTo("ACCEPTED");
    assertThat(answer.path("sender").asString()).isEqualTo("alice@example.com");
    assertThat(answer.path("acceptedAt").asString()).isNotEmpty();

    var records = drainCommands(1);
    assertThat(records).hasSize(1);
    var record = records.getFirst();
    assertThat(record.key()).isEqualTo(trackingId);
    var command = WireFormat.mapper().readValue(record.value(), FinalizeCommand.class);
    assertThat(command.trackingId()).isEqualTo(trackingId);
    assertThat(command.server()).isEqualTo("default");
    assertThat(command.credential()).isNull();
    assertThat(header(record, CloudEvents.ID)).isEqualTo(command.commandId().toString());
    assertThat(header(record, CloudEvents.TYPE)).isEqualTo(FinalizeCommand.CLOUD_EVENT_TYPE);
  }

  @Test
  void a_repeated_request_is_answered_with_the_current_state_and_emits_nothing() {
    var trackingId = "repeat-" + UUID.randomUUID();
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    assertThat(drainCommands(1)).hasSize(1);

    var repeat = post(port, KEY, body("alice@example.com", trackingId));

    assertThat(repeat.statusCode()).isEqualTo(202);
    assertThat(drainCommands(0)).isEmpty();
  }

  @Test
  void the_same_tracking_id_for_another_sender_is_a_conflict() {
    var trackingId = "conflict-" + UUID.randomUUID();
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    drainCommands(1);

    var other = post(port, KEY, body("mallory@example.com", trackingId));

    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(code(other.body())).isEqualTo("TRACKING_ID_CONFLICT");
    assertThat(drainCommands(0)).isEmpty();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of(KEY, "{", 400, "MALFORMED_BODY"),
        Arguments.of(KEY, "[]", 400, "MALFORMED_BODY"),
        Arguments.of(KEY, "{\"sender\": \"alice@example.com\"}", 400, "INVALID_FIELD"),
        Arguments.of(KEY, "{\"trackingId\": \"t-1\"}", 400, "INVALID_FIELD"),
        Arguments.of(KEY, body("not-an-email", "t-1"), 400, "INVALID_FIELD"),
        Arguments.of(KEY, body("alice@example.com", "bad/slash"), 400, "INVALID_FIELD"),
        Arguments.of(KEY, body("alice@example.com", "x".repeat(65)), 400, "INVALID_FIELD"),
        Arguments.of(
            KEY,
            "{\"server\": \"nope\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}",
            400,
            "UNKNOWN_SERVER"),
        Arguments.of("wrong-key", body("alice@example.com", "t-1"), 401, "UNAUTHENTICATED"),
        Arguments.of(SCOPED_KEY, body("eve@example.org", "t-1"), 403, "FORBIDDEN_SENDER"),
        Arguments.of(
            SCOPED_KEY,
            "{\"server\": \"other\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}",
            403,
            "FORBIDDEN_SERVER"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void refuses_bad_requests_with_a_problem_and_emits_nothing(
      String key, String body, int status, String code) {
    var response = post(port, key, body);

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(code(response.body())).isEqualTo(code);
    assertThat(drainCommands(0)).isEmpty();
  }

  @Test
  void status_is_unknown_before_acceptance_and_follows_the_events_after() {
    var trackingId = "status-" + UUID.randomUUID();
    var path = "/api/v1/transfers/" + trackingId + "?server=default";
    assertThat(get(port, KEY, path).statusCode()).isEqualTo(404);

    post(port, KEY, body("alice@example.com", trackingId));
    assertThat(WireFormat.mapper().readTree(get(port, KEY, path).body()).path("state").asString())
        .isEqualTo("ACCEPTED");

    var active =
        TransferEvent.of(
                "default",
                "alice@example.com",
                trackingId,
                TransferState.ACTIVE,
                TransferState.PROCESSING,
                Instant.now())
            .withStatusUrl(
                URI.create("http://cs/api/users/alice@example.com/transfers/" + trackingId))
            .withCryptshareDetails(
                "ACTIVE",
                false,
                List.of(
                    new Recipient("bob@example.org", URI.create("http://cs/download/1"), false)));
    publish(active);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              var view = WireFormat.mapper().readTree(get(port, KEY, path).body());
              assertThat(view.path("state").asString()).isEqualTo("ACTIVE");
              assertThat(view.path("recipients").get(0).path("downloadUrl").asString())
                  .isEqualTo("http://cs/download/1");
            });
  }

  @Test
  void status_is_forbidden_for_a_key_not_scoped_to_the_sender() {
    var trackingId = "scoped-" + UUID.randomUUID();
    post(port, KEY, body("eve@example.org", trackingId));

    var response = get(port, SCOPED_KEY, "/api/v1/transfers/" + trackingId);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(code(response.body())).isEqualTo("FORBIDDEN_SENDER");
  }

  @Test
  void health_needs_no_key_but_everything_else_does() {
    assertThat(get(port, "", "/actuator/health").statusCode()).isEqualTo(200);
    assertThat(get(port, "", "/actuator/prometheus").statusCode()).isEqualTo(401);
    assertThat(get(port, KEY, "/no/such/route").statusCode()).isEqualTo(404);
  }

  private void publish(TransferEvent event) {
    var producerConfig = KafkaTestUtils.producerProps(broker);
    var factory =
        new DefaultKafkaProducerFactory<String, TransferEvent>(
            producerConfig,
            new StringSerializer(),
            new JacksonJsonSerializer<>(WireFormat.mapper()));
    try {
      new KafkaTemplate<>(factory)
          .send(new ProducerRecord<>(Topics.TRANSFER_EVENTS, event.trackingId(), event))
          .join();
    } finally {
      factory.destroy();
    }
  }

  private List<ConsumerRecord<String, String>> drainCommands(int expected) {
    var records = new ArrayList<ConsumerRecord<String, String>>();
    // Wait for the expected records; when none are expected, give a stray one a moment to show.
    long deadline = System.nanoTime() + Duration.ofSeconds(expected == 0 ? 1 : 10).toNanos();
    while (System.nanoTime() < deadline && (expected == 0 || records.size() < expected)) {
      commands.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static String code(String problem) {
    return WireFormat.mapper().readTree(problem).path("code").asString();
  }
}

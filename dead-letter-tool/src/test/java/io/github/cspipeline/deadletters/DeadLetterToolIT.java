package io.github.cspipeline.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The tool against a real broker, on dead letters written by Spring Kafka's own recoverer (as the
 * worker configures it). The steps build on each other: list, show, dry run, replay, replay again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeadLetterToolIT {

  private static final String COMMANDS = Topics.FINALIZE_COMMANDS;
  private static final String DLT = DeadLetterTool.WORKER_DEAD_LETTERS;
  private static final String BROKEN = "20261202-100000-Broken01";
  private static final String OTHER = "20261202-100000-Other001";
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private static EmbeddedKafkaKraftBroker broker;

  @BeforeAll
  static void deadLettersOnABroker() {
    broker = new EmbeddedKafkaKraftBroker(1, 1);
    broker.brokerProperties(
        Map.of(
            "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1"));
    broker.afterPropertiesSet();
    broker.addTopics(new NewTopic(COMMANDS, 3, (short) 1), new NewTopic(DLT, 1, (short) 1));
    var template =
        new KafkaTemplate<>(
            new DefaultKafkaProducerFactory<byte[], byte[]>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                new ByteArraySerializer(),
                new ByteArraySerializer()));
    var recoverer =
        new DeadLetterPublishingRecoverer(template, (record, e) -> new TopicPartition(DLT, -1));
    recoverer.addHeadersFunction(
        (record, e) -> {
          var headers = new RecordHeaders();
          headers.add("cryptshare_dlt-reason", e.getMessage().getBytes(StandardCharsets.UTF_8));
          return headers;
        });
    recoverer.accept(command(BROKEN, 2, 41), new IllegalStateException("intake bug"));
    recoverer.accept(command(OTHER, 1, 7), new IllegalArgumentException("sender is not valid"));
    // A dead letter of a topic that is gone: it cannot be replayed.
    recoverer.accept(
        new ConsumerRecord<>("cryptshare.gone", 0, 3, bytes("gone"), bytes("{}")),
        new IllegalStateException("gone"));
  }

  @AfterAll
  static void stop() {
    broker.destroy();
  }

  @Test
  @Order(1)
  void list_shows_one_line_per_dead_letter_with_its_reason() {
    var run = tool("list");

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("DEAD LETTER")
        .containsPattern(DLT + "-0@0 .+ " + BROKEN + " +" + COMMANDS + " +intake bug +-\n")
        .containsPattern(DLT + "-0@1 .+ " + OTHER + " .+sender is not valid")
        .contains("listed 3 (replayed already 0), skipped (filter) 0; read " + DLT);
    assertThat(tool("list", "--reason", "INTAKE").out())
        .contains(BROKEN)
        .doesNotContain(OTHER)
        .contains("listed 1 (replayed already 0), skipped (filter) 2");
    assertThat(tool("list", "--from", "1h ago", "--key", OTHER).out()).contains("listed 1");
    assertThat(tool("list", "--to", "1h ago").out()).contains("listed 0");
  }

  @Test
  @Order(2)
  void show_prints_headers_and_the_value_without_the_credential() {
    var run = tool("show", "0@0");

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains(DLT + "-0@0")
        .contains("from              " + COMMANDS + "-2@41")
        .contains("traceparent")
        .contains(TRACEPARENT)
        .contains("\"credential\" : \"<redacted>\"")
        .doesNotContain("secret-credential")
        .contains("shown 1, skipped (filter) 2");
  }

  @Test
  @Order(3)
  void a_dry_run_says_what_it_would_replay_and_sends_nothing() {
    var run = tool("replay", "--key", BROKEN, "--dry-run");

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("would replay      " + DLT + "-0@0  to " + COMMANDS + "-2  key " + BROKEN)
        .contains("would replay 1, already replayed 0, cannot replay 0, skipped (filter) 2")
        .contains("dry run: nothing sent");
    assertThat(commands()).isEmpty();
  }

  @Test
  @Order(4)
  void replay_sends_the_original_record_to_its_partition_without_dead_letter_headers() {
    var run = tool("replay", "--key", BROKEN);

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("replayed          " + DLT + "-0@0  to " + COMMANDS + "-2@0  key " + BROKEN)
        .contains("replayed 1, already replayed 0, cannot replay 0, skipped (filter) 2");
    var record = awaitCommands(1).getFirst();
    assertThat(record.partition()).isEqualTo(2);
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(BROKEN);
    assertThat(new String(record.value(), StandardCharsets.UTF_8))
        .isEqualTo(new String(command(BROKEN, 2, 41).value(), StandardCharsets.UTF_8));
    assertThat(Arrays.stream(record.headers().toArray()).map(Header::key))
        .containsExactly("ce_id", "traceparent", Replays.REPLAYED_FROM);
    assertThat(text(record.headers().lastHeader("traceparent"))).isEqualTo(TRACEPARENT);
    assertThat(text(record.headers().lastHeader(Replays.REPLAYED_FROM))).isEqualTo(DLT + "/0/0");
  }

  @Test
  @Order(5)
  void a_second_replay_of_the_same_dead_letter_sends_nothing() {
    var run = tool("replay", DLT + "-0@0");

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .containsPattern("already replayed  " + DLT + "-0@0  \\(at .+ to " + COMMANDS + "-2@0\\)")
        .contains("replayed 0, already replayed 1, cannot replay 0, skipped (filter) 2");
    assertThat(commands()).hasSize(1);
    assertThat(tool("list", "--key", BROKEN).out()).contains("listed 1 (replayed already 1)");
  }

  @Test
  @Order(6)
  void force_replays_again_and_dead_letters_without_their_topic_are_reported() {
    assertThat(tool("replay", "--key", BROKEN, "--force").out()).contains("replayed 1,");
    awaitCommands(2);

    var run = tool("replay", "--reason", "gone");
    assertThat(run.code()).isEqualTo(DeadLetterTool.NOT_REPLAYABLE);
    assertThat(run.out())
        .contains("cannot replay     " + DLT + "-0@2  (topic cryptshare.gone does not exist)");
  }

  @Test
  @Order(7)
  void replay_without_a_selection_is_refused_and_unknown_topics_are_named() {
    var run = tool("replay");
    assertThat(run.code()).isEqualTo(DeadLetterTool.USAGE);
    assertThat(run.err()).contains("replay needs a selection");
    assertThat(commands()).hasSize(2);

    var unknown = tool("list", "--topic", "no.such.dlt");
    assertThat(unknown.code()).isEqualTo(DeadLetterTool.FAILED);
    assertThat(unknown.err()).contains("no such topic: no.such.dlt");
  }

  private record Run(int code, String out, String err) {}

  private static Run tool(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-servers", broker.getBrokersAsString(), "--timeout", "PT20S"));
    var code =
        DeadLetterTool.execute(
            Clock.systemUTC(),
            new PrintWriter(out),
            new PrintWriter(err),
            all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /**
   * The commands topic once it holds {@code count} committed records: a transaction's commit
   * markers are written after commitTransaction() returns, so the records may show a moment later.
   */
  private static List<ConsumerRecord<byte[], byte[]>> awaitCommands(int count) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(DeadLetterToolIT::commands, r -> r.size() == count);
  }

  private static List<ConsumerRecord<byte[], byte[]>> commands() {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(COMMANDS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var ends = consumer.endOffsets(partitions);
      var records = new ArrayList<ConsumerRecord<byte[], byte[]>>();
      var deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private static ConsumerRecord<byte[], byte[]> command(
      String trackingId, int partition, long offset) {
    var headers = new RecordHeaders();
    headers.add("ce_id", bytes("id-" + trackingId));
    headers.add("traceparent", bytes(TRACEPARENT));
    return new ConsumerRecord<>(
        COMMANDS,
        partition,
        offset,
        System.currentTimeMillis(),
        TimestampType.CREATE_TIME,
        -1,
        -1,
        bytes(trackingId),
        bytes(
            """
            {"schemaVersion":1,"commandId":"c-%s","server":"default","sender":"a@example.com",\
            "trackingId":"%s","credential":"secret-credential"}"""
                .formatted(trackingId, trackingId)),
        headers,
        java.util.Optional.empty());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Header header) {
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}

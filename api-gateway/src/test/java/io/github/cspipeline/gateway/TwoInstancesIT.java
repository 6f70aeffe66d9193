package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.gateway.status.TransferViews;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Two gateway instances on one broker, started as {@code java -jar} would (no application.yml):
 * identical requests fired at both at the same moment emit exactly one command per transfer, and
 * either instance answers for every transfer, also one started afresh.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstancesIT {

  private static final int ROUNDS = 40;
  private static final String CLAIMS = "cryptshare.api-gateway.claims";

  private EmbeddedKafkaKraftBroker broker;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private int portA;
  private int portB;
  private final List<String> accepted = new ArrayList<>();

  @BeforeAll
  void start() {
    broker = new EmbeddedKafkaKraftBroker(1, 2, Topics.TRANSFER_EVENTS);
    broker.afterPropertiesSet();
    portA = port(startGateway(Map.of()));
    portB = port(startGateway(Map.of()));
  }

  @AfterAll
  void stop() {
    contexts.reversed().forEach(ConfigurableApplicationContext::close);
    broker.destroy();
  }

  private ConfigurableApplicationContext startGateway(Map<String, String> extra) {
    var properties = new HashMap<>(extra);
    properties.put("spring.config.name", "two-instances-none");
    properties.put("server.port", "0");
    properties.put("spring.kafka.bootstrap-servers", broker.getBrokersAsString());
    var context = ApiGatewayApplication.builder().run(GatewayFixtures.arguments(properties));
    contexts.add(context);
    int management =
        Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(management, "", "/actuator/health/readiness").statusCode() == 200);
    return context;
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  @Test
  @Order(1)
  void identical_requests_at_two_instances_at_the_same_moment_emit_one_command() throws Exception {
    var answers = new ArrayList<Integer>();
    for (int i = 0; i < ROUNDS; i++) {
      var trackingId = uniqueTrackingId("twin-" + i);
      var both =
          atTheSameMoment(
              () -> post(portA, KEY, body("alice@example.com", trackingId)),
              () -> post(portB, KEY, body("alice@example.com", trackingId)));
      both.forEach(r -> answers.add(r.statusCode()));
      assertThat(both.get(0).body()).isEqualTo(both.get(1).body());
      accepted.add(trackingId);
    }

    assertThat(answers).hasSize(2 * ROUNDS).containsOnly(202);
    var perTransfer = commandsByKey();
    assertThat(accepted).allSatisfy(t -> assertThat(perTransfer.get(t)).as(t).isEqualTo(1));
    // Proof that the race happened: in some rounds both instances got as far as claiming.
    var claims = recordsByKey(CLAIMS);
    assertThat(accepted.stream().filter(t -> claims.getOrDefault("t\ndefault\n" + t, 0) == 2))
        .isNotEmpty();
  }

  @Test
  @Order(2)
  void the_same_tracking_id_for_two_senders_at_the_same_moment_is_one_accept_and_one_conflict()
      throws Exception {
    for (int i = 0; i < 10; i++) {
      var trackingId = uniqueTrackingId("rival-" + i);
      var both =
          atTheSameMoment(
              () -> post(portA, KEY, body("alice@example.com", trackingId)),
              () -> post(portB, KEY, body("mallory@example.com", trackingId)));

      assertThat(both).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(202, 409);
      assertThat(commandsByKey().get(trackingId)).isEqualTo(1);
      accepted.add(trackingId);
    }
  }

  @Test
  @Order(3)
  void one_idempotency_key_for_two_bodies_at_the_same_moment_is_one_accept_and_one_422()
      throws Exception {
    for (int i = 0; i < 10; i++) {
      var key = Map.of("Idempotency-Key", "twin-key-" + i + "-" + System.nanoTime());
      var first = uniqueTrackingId("key-a-" + i);
      var second = uniqueTrackingId("key-b-" + i);
      var both =
          atTheSameMoment(
              () -> post(portA, KEY, body("alice@example.com", first), key),
              () -> post(portB, KEY, body("alice@example.com", second), key));

      assertThat(both).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(202, 422);
      var commands = commandsByKey();
      assertThat(commands.getOrDefault(first, 0) + commands.getOrDefault(second, 0)).isEqualTo(1);
      accepted.add(both.get(0).statusCode() == 202 ? first : second);
    }
  }

  @Test
  @Order(4)
  void either_instance_answers_for_a_transfer_the_other_accepted() {
    var trackingId = uniqueTrackingId("cross");
    assertThat(post(portA, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              var view = get(portB, KEY, "/api/v1/transfers/" + trackingId);
              assertThat(view.statusCode()).isEqualTo(200);
              assertThat(WireFormat.mapper().readTree(view.body()).path("state").asString())
                  .isEqualTo("ACCEPTED");
            });
    accepted.add(trackingId);
  }

  @Test
  @Order(5)
  void a_new_instance_with_a_small_cache_answers_for_every_transfer_from_its_store() {
    var fresh = startGateway(Map.of("cryptshare.gateway.view.cache-entries", "5"));
    int port = port(fresh);

    for (var trackingId : accepted) {
      var view = get(port, KEY, "/api/v1/transfers/" + trackingId);
      assertThat(view.statusCode()).as(trackingId).isEqualTo(200);
      assertThat(WireFormat.mapper().readTree(view.body()).path("trackingId").asString())
          .isEqualTo(trackingId);
    }
    assertThat(accepted).hasSizeGreaterThan(50);
    assertThat(fresh.getBean(TransferViews.class).cachedEntries()).isLessThanOrEqualTo(5);
    var repeat = post(port, KEY, body("alice@example.com", accepted.getFirst()));
    assertThat(repeat.statusCode()).isEqualTo(202);
    assertThat(commandsByKey().get(accepted.getFirst())).isEqualTo(1);
  }

  @SafeVarargs
  private static List<HttpResponse<String>> atTheSameMoment(Supplier<HttpResponse<String>>... calls)
      throws Exception {
    var barrier = new CyclicBarrier(calls.length);
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<CompletableFuture<HttpResponse<String>>>();
      for (var call : calls) {
        futures.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    barrier.await();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  return call.get();
                },
                executor));
      }
      var answers = new ArrayList<HttpResponse<String>>();
      for (var f : futures) {
        answers.add(f.get());
      }
      return answers;
    }
  }

  /** How many commands each trackingId has on the command topic. */
  private Map<String, Integer> commandsByKey() {
    return recordsByKey(Topics.FINALIZE_COMMANDS);
  }

  private Map<String, Integer> recordsByKey(String topic) {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      var partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      var counts = new HashMap<String, Integer>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          counts.merge(r.key(), 1, Integer::sum);
        }
      }
      return counts;
    }
  }
}

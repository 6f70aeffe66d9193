package io.github.cspipeline.localkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as {@code ./run-local} and the chaos suite start it, in a child JVM: killed with
 * SIGKILL and started again on the same data directory, it must come back with its cluster id,
 * topics and committed records.
 */
class LocalKafkaRestartIT {

  private static final String TOPIC = "restart.test";

  @TempDir Path dataDir;

  private final List<Process> brokers = new ArrayList<>();

  @AfterEach
  void killBrokers() {
    brokers.forEach(Process::destroyForcibly);
  }

  @Test
  void comes_back_after_kill_9_with_its_cluster_id_topics_and_committed_records() throws Exception {
    int port = freePortPair();
    var bootstrap = "localhost:" + port;

    var first = start(port, "first.log");
    String clusterId;
    try (var admin = admin(bootstrap)) {
      clusterId = admin.describeCluster().clusterId().get();
      admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
    }
    try (var producer = transactionalProducer(bootstrap)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(TOPIC, "t1", "committed")).get();
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(TOPIC, "t2", "aborted")).get();
      producer.abortTransaction();
    }

    first.destroyForcibly().waitFor();
    start(port, "second.log");

    try (var admin = admin(bootstrap)) {
      assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
      assertThat(admin.listTopics().names().get()).contains(TOPIC);
    }
    assertThat(readAll(bootstrap)).containsExactly("t1=committed");
  }

  /** What {@code watch} prints: committed records only, from the beginning. */
  private static List<String> readAll(String bootstrap) {
    var values = new ArrayList<String>();
    try (var consumer =
        new KafkaConsumer<>(
            WatchTopic.consumerConfig(bootstrap),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      // The aborted record sits before the end offset: reading stops at the end, not at a count.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(500))
                    .forEach(r -> values.add(r.key() + "=" + r.value()));
                var assignment = consumer.assignment();
                if (assignment.isEmpty()) {
                  return false;
                }
                var ends = consumer.endOffsets(assignment);
                return assignment.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
              });
    }
    return values;
  }

  private Process start(int port, String logName) throws IOException {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LocalKafka.class.getName(),
                Integer.toString(port),
                dataDir.resolve("kafka").toString())
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve(logName).toFile())
            .start();
    brokers.add(process);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .failFast("the broker exited; see " + logName, () -> !process.isAlive())
        .until(() -> answers(port));
    return process;
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            60_000));
  }

  private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
    var config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "restart-test");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static boolean answers(int port) {
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress("localhost", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A free port whose successor (the controller's) is free too. */
  private static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      if (free(port) && free(port + 1)) {
        return port;
      }
    }
    throw new IOException("No two consecutive free ports found");
  }

  private static boolean free(int port) {
    try (var socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

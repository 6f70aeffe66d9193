package io.github.cspipeline.localkafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * Starts a real single-node Kafka broker in KRaft mode (combined broker and controller) on a fixed
 * port, the controller on the next port, for {@code ./run-local}. Arguments: port (9092) and data
 * directory (a new temporary one). Started again on the same data directory, the broker keeps its
 * cluster id, topics and committed records. Not for production.
 *
 * <p>{@code watch [topic] [bootstrap-servers]} prints a topic's records instead.
 */
public final class LocalKafka {

  private LocalKafka() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("watch")) {
      WatchTopic.run(
          args.length > 2 ? args[2] : "localhost:9092",
          args.length > 1 ? args[1] : "cryptshare.transfer.events");
      return;
    }
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
    // Kafka's own shutdown hook still writes to the directory, so deleting it is left to the
    // caller (./run-local wipes it before every start).
    var dataDir =
        args.length > 1
            ? Files.createDirectories(Path.of(args[1]))
            : Files.createTempDirectory("local-kafka-");
    var config = dataDir.resolve("server.properties");
    Files.writeString(
        config,
        """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@localhost:%2$d
        listeners=PLAINTEXT://localhost:%1$d,CONTROLLER://localhost:%2$d
        advertised.listeners=PLAINTEXT://localhost:%1$d
        controller.listener.names=CONTROLLER
        inter.broker.listener.name=PLAINTEXT
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        log.dirs=%3$s
        num.partitions=6
        auto.create.topics.enable=true
        offsets.topic.replication.factor=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        """
            .formatted(port, port + 1, dataDir.resolve("logs")));
    var clusterId = formatOnce(config, dataDir.resolve("logs"));
    System.out.println("Kafka (KRaft) starting at localhost:" + port + ", cluster id " + clusterId);
    // Blocks until the JVM is asked to stop; Kafka's own shutdown hook closes the broker.
    kafka.Kafka.main(new String[] {config.toString()});
  }

  /**
   * Formats the log directory with a new cluster id the first time only. A directory that holds
   * data already keeps its cluster id: formatting it again with another id fails ("Invalid
   * cluster.id"), and a broker restarted on its own data (after a crash, or by the chaos suite
   * after kill -9) must come back with its topics and committed records.
   *
   * @return the cluster id the broker runs with
   */
  static String formatOnce(Path config, Path logDir) throws IOException {
    var meta = logDir.resolve("meta.properties");
    if (Files.exists(meta)) {
      var properties = new Properties();
      try (var in = Files.newBufferedReader(meta)) {
        properties.load(in);
      }
      var clusterId = properties.getProperty("cluster.id");
      if (clusterId == null || clusterId.isBlank()) {
        throw new IllegalStateException(meta + " names no cluster.id; delete the directory");
      }
      return clusterId;
    }
    var clusterId = Uuid.randomUuid().toString();
    int formatted =
        kafka.tools.StorageTool.execute(
            new String[] {"format", "-t", clusterId, "-c", config.toString()}, System.out);
    if (formatted != 0) {
      throw new IllegalStateException("Formatting the KRaft storage failed: " + formatted);
    }
    return clusterId;
  }
}

package io.github.cspipeline.deadletters;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Where Kafka is and which topics to read: the options every command has. */
final class KafkaOptions {

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS, else ${DEFAULT-VALUE}).")
  String bootstrapServers = "localhost:9092";

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties (security.protocol, sasl.*, ssl.*), as for kafka-console-*.")
  @Nullable Path kafkaConfig;

  @Option(
      names = {"-t", "--topic"},
      paramLabel = "TOPIC",
      description = {
        "A dead-letter topic to read; repeatable.",
        "Default: those of cryptshare.transfer-worker.dlt, cryptshare.status-poller.dlt and"
            + " cryptshare.example-consumer.dlt that exist."
      })
  List<String> topics = new ArrayList<>();

  @Option(
      names = "--replays-topic",
      paramLabel = "TOPIC",
      defaultValue = Replays.DEFAULT_TOPIC,
      description = "Where replays are remembered (default ${DEFAULT-VALUE}).")
  String replaysTopic = Replays.DEFAULT_TOPIC;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "PT30S",
      description =
          "How long to wait for Kafka in any one step (ISO-8601, default ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(30);

  Kafka connect() {
    var config = new Properties();
    if (kafkaConfig != null) {
      try (Reader reader = Files.newBufferedReader(kafkaConfig)) {
        config.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --kafka-config " + kafkaConfig + ": " + e);
      }
    }
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "dead-letter-tool");
    return new Kafka(config, timeout);
  }

  /**
   * The topics to read: the ones named (each must exist), else the known ones that exist.
   *
   * @param partitions partition count of each existing topic
   */
  List<String> topicsToRead(Map<String, Integer> partitions) {
    if (topics.isEmpty()) {
      return DeadLetterTool.KNOWN_DEAD_LETTER_TOPICS.stream()
          .filter(partitions::containsKey)
          .toList();
    }
    var missing = topics.stream().filter(t -> !partitions.containsKey(t)).toList();
    if (!missing.isEmpty()) {
      throw new ToolException("no such topic: " + String.join(", ", missing));
    }
    return topics.stream().distinct().toList();
  }

  List<String> candidates() {
    return topics.isEmpty() ? DeadLetterTool.KNOWN_DEAD_LETTER_TOPICS : topics;
  }
}

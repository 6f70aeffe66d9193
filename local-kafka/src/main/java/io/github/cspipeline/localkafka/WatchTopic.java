package io.github.cspipeline.localkafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Prints every committed record of a topic, from its beginning, until stopped: a console consumer
 * reading with {@code isolation.level=read_committed}.
 */
final class WatchTopic {

  private WatchTopic() {}

  static void run(String bootstrapServers, String topic) {
    try (var consumer =
        new KafkaConsumer<>(
            consumerConfig(bootstrapServers), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      System.err.println("Watching " + topic + " at " + bootstrapServers + " (Ctrl-C to stop)");
      while (!Thread.currentThread().isInterrupted()) {
        for (var record : consumer.poll(Duration.ofSeconds(1))) {
          var type = record.headers().lastHeader("ce_type");
          System.out.printf(
              "%s p%d@%d %s %s%n",
              record.key(),
              record.partition(),
              record.offset(),
              type == null ? "-" : new String(type.value(), StandardCharsets.UTF_8),
              record.value());
        }
      }
    }
  }

  /** The watcher's consumer settings: a group of its own, from the beginning, committed only. */
  static Properties consumerConfig(String bootstrapServers) {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "watch-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The worker and the poller write in transactions: records of aborted ones (a poller that
    // died before committing) are not part of the topic's story and must not be shown.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return config;
  }
}

package io.github.cspipeline.localkafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Prints every record of a topic, from its beginning, until stopped: a console consumer. */
final class WatchTopic {

  private WatchTopic() {}

  static void run(String bootstrapServers, String topic) {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "watch-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
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
}

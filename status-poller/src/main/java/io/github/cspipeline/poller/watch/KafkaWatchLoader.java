package io.github.cspipeline.poller.watch;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one partition of the watch topic with a consumer of no group ({@code assign}, not {@code
 * subscribe}), from its beginning to the last stable offset: committed records only.
 */
public final class KafkaWatchLoader implements WatchJournal.Loader {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Map<String, Object> config;

  /**
   * @param consumerConfig connection settings (bootstrap servers, security); group and deserializer
   *     settings are replaced
   */
  public KafkaWatchLoader(Map<String, Object> consumerConfig) {
    var copy = new HashMap<>(consumerConfig);
    copy.remove(ConsumerConfig.GROUP_ID_CONFIG);
    copy.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    copy.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    copy.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        IsolationLevel.READ_COMMITTED.toString().toLowerCase(java.util.Locale.ROOT));
    copy.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    copy.put(ConsumerConfig.CLIENT_ID_CONFIG, "status-poller-watch-loader");
    this.config = Map.copyOf(copy);
  }

  @Override
  public void read(String topic, int partition, RecordSink sink) {
    var tp = new TopicPartition(topic, partition);
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(tp, TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Reading %s took longer than %s".formatted(tp, TIMEOUT));
        }
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          sink.accept(record.key(), record.value());
        }
      }
    }
  }
}

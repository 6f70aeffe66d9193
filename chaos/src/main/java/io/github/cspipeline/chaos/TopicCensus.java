package io.github.cspipeline.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts what a topic holds: data records (committed or not) and bytes, read {@code
 * read_uncommitted} from the beginning to the end offsets, and from the offsets the records do not
 * fill the control records, i.e. one transaction marker per partition and transaction. That is what
 * the broker paid for each transaction touching the topic.
 */
final class TopicCensus {

  /** One topic's count; {@code markers} includes the rare record of a compacted-away offset. */
  record Count(String topic, long records, long markers, long keyAndValueBytes) {}

  private TopicCensus() {}

  static Count of(int kafkaPort, String topic) {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (var consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        return new Count(topic, 0, 0, 0);
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var starts = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
      var ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long records = 0;
      long bytes = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
          && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          records++;
          bytes +=
              (record.key() == null ? 0 : record.key().length)
                  + (record.value() == null ? 0 : record.value().length);
        }
      }
      long offsets = 0;
      for (var tp : partitions) {
        offsets += ends.get(tp) - starts.get(tp);
      }
      return new Count(topic, records, offsets - records, bytes);
    }
  }
}

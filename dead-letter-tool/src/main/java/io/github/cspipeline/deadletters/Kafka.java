package io.github.cspipeline.deadletters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/** The tool's one edge to Kafka: reads topics to their end, creates the replays topic, replays. */
final class Kafka implements AutoCloseable {

  private final Properties base;
  private final Duration timeout;
  private final Admin admin;

  /**
   * @param base bootstrap servers and any client settings (security) of {@code --kafka-config}
   * @param timeout how long any one call may wait for Kafka
   */
  Kafka(Properties base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    var config = new Properties();
    config.putAll(base);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.admin = Admin.create(config);
  }

  /** Partition count of each topic that exists; missing ones are absent. */
  Map<String, Integer> partitionCounts(Collection<String> topics) {
    var existing = get(admin.listTopics().names(), "list the topics");
    var wanted = topics.stream().filter(existing::contains).distinct().toList();
    if (wanted.isEmpty()) {
      return Map.of();
    }
    var counts = new HashMap<String, Integer>();
    get(admin.describeTopics(wanted).allTopicNames(), "describe " + wanted)
        .forEach((name, description) -> counts.put(name, description.partitions().size()));
    return counts;
  }

  /** Every committed dead letter of these (existing) topics, in topic, partition, offset order. */
  List<DeadLetter> deadLetters(Collection<String> topics) {
    return readToEnd(topics).stream()
        .map(DeadLetter::of)
        .sorted(
            Comparator.comparing(DeadLetter::topic)
                .thenComparingInt(DeadLetter::partition)
                .thenComparingLong(DeadLetter::offset))
        .toList();
  }

  /**
   * What the replays topic remembers, by dead-letter id; read committed, so a replay whose
   * transaction did not commit is not remembered (and was not delivered either).
   */
  Map<String, Replays.Marker> markers(String replaysTopic) {
    var markers = new HashMap<String, Replays.Marker>();
    if (partitionCounts(List.of(replaysTopic)).isEmpty()) {
      return markers;
    }
    for (var record : readToEnd(List.of(replaysTopic))) {
      if (record.key() == null) {
        continue;
      }
      var id = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
      if (record.value() == null) {
        markers.remove(id);
      } else {
        markers.put(id, Replays.markerOf(record.value()));
      }
    }
    return markers;
  }

  /**
   * Creates the replays topic when it is missing: one partition, compacted (the latest marker per
   * dead letter counts, and is kept as long as the topic), the broker's default replication.
   */
  void createReplaysTopic(String replaysTopic) {
    if (!partitionCounts(List.of(replaysTopic)).isEmpty()) {
      return;
    }
    var topic =
        new NewTopic(replaysTopic, java.util.Optional.of(1), java.util.Optional.empty())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    try {
      admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new ToolException(
            "could not create the replays topic "
                + replaysTopic
                + " ("
                + e.getCause().getMessage()
                + "); create it (compacted) or name another with --replays-topic",
            e.getCause());
      }
    } catch (TimeoutException e) {
      throw new ToolException("Kafka did not create " + replaysTopic + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException("interrupted", e);
    }
  }

  /**
   * A transactional producer for replays. Its {@code transactional.id} is fixed, so a second run
   * fences the first: replays are made by one run at a time, and a run reads the markers only after
   * every transaction of an earlier run is complete.
   */
  Replayer replayer(String transactionalId, String replaysTopic) {
    var config = new Properties();
    config.putAll(base);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
    var producer =
        new KafkaProducer<byte @Nullable [], byte @Nullable []>(
            config, new ByteArraySerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw new ToolException("could not start a Kafka transaction: " + e.getMessage(), e);
    }
    return new Replayer(producer, replaysTopic);
  }

  private List<ConsumerRecord<byte @Nullable [], byte @Nullable []>> readToEnd(
      Collection<String> topics) {
    var config = new Properties();
    config.putAll(base);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (var consumer =
        new KafkaConsumer<byte @Nullable [], byte @Nullable []>(
            config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var partitions = new ArrayList<TopicPartition>();
      for (var topic : topics) {
        consumer.partitionsFor(topic, timeout).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .forEach(partitions::add);
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // read_committed: the end is the last stable offset, so an open transaction is waited for.
      var ends = consumer.endOffsets(partitions, timeout);
      var records = new ArrayList<ConsumerRecord<byte @Nullable [], byte @Nullable []>>();
      var deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new ToolException(
              "could not read " + topics + " to their end within " + timeout + "; try again");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new ToolException("Kafka did not answer within " + timeout + ": " + e.getMessage(), e);
    }
  }

  private <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new ToolException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new ToolException(
          "Kafka did not answer within " + timeout + " (could not " + what + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException("interrupted", e);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }

  /** Replays dead letters, each with its marker in one transaction. */
  final class Replayer implements AutoCloseable {

    private final KafkaProducer<byte @Nullable [], byte @Nullable []> producer;
    private final String replaysTopic;

    private Replayer(
        KafkaProducer<byte @Nullable [], byte @Nullable []> producer, String replaysTopic) {
      this.producer = producer;
      this.replaysTopic = replaysTopic;
    }

    /**
     * Sends the dead letter to {@code topic} and its marker to the replays topic, in one
     * transaction: both are committed, or neither.
     *
     * @param partition where to write it; null lets the key choose
     */
    Replays.Marker replay(
        DeadLetter letter, String topic, @Nullable Integer partition, java.time.Instant now) {
      try {
        producer.beginTransaction();
        var sent =
            producer
                .send(Replays.replayOf(letter, topic, partition))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        var marker =
            new Replays.Marker(letter.id(), sent.topic(), sent.partition(), sent.offset(), now);
        producer
            .send(Replays.markerRecord(replaysTopic, marker))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        producer.commitTransaction();
        return marker;
      } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
        throw new ToolException(
            "stopped: "
                + e.getMessage()
                + " (another replay with the same --transactional-id started, or Kafka refused"
                + " access); nothing of "
                + letter.label()
                + " was replayed",
            e);
      } catch (ExecutionException | TimeoutException | KafkaException e) {
        abort();
        var cause = e instanceof ExecutionException ? e.getCause() : e;
        throw new ToolException(
            "could not replay " + letter.label() + " (" + cause + "); nothing of it was replayed",
            cause);
      } catch (InterruptedException e) {
        abort();
        Thread.currentThread().interrupt();
        throw new ToolException("interrupted; nothing of " + letter.label() + " was replayed", e);
      }
    }

    private void abort() {
      try {
        producer.abortTransaction();
      } catch (KafkaException e) {
        // Closing the producer below aborts it too, or the broker does at the transaction
        // timeout; the consumers read committed records only.
      }
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(5));
    }
  }
}

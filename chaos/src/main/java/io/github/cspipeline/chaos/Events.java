package io.github.cspipeline.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the events topic with {@code isolation.level=read_committed}, by partition assignment (no
 * consumer group, so a broker restart costs no rebalance): once live while the run goes on, to know
 * when every transfer is done, and once from the beginning to the end offsets for the audit.
 */
final class Events {

  static final String TOPIC = "cryptshare.transfer.events";
  static final Set<String> TERMINAL =
      Set.of("ACTIVE", "FAILED", "DELETED", "REJECTED", "ABANDONED");

  /** One event as read. */
  record Event(
      String server,
      String trackingId,
      String state,
      String eventId,
      @Nullable String errorCode,
      int partition,
      long offset,
      Instant timestamp) {

    String key() {
      return server + "/" + trackingId;
    }

    boolean terminal() {
      return TERMINAL.contains(state);
    }

    @Override
    public String toString() {
      return state
          + (errorCode == null ? "" : "(" + errorCode + ")")
          + " p"
          + partition
          + "@"
          + offset
          + " eventId="
          + eventId;
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String bootstrap;

  /** Live view: the time each transfer's first terminal event was seen committed. */
  final Map<String, Instant> firstTerminal = new ConcurrentHashMap<>();

  private volatile @Nullable KafkaConsumer<String, String> live;

  Events(int kafkaPort) {
    this.bootstrap = "127.0.0.1:" + kafkaPort;
  }

  /** Follows the topic until {@link #stopLive()}; survives broker restarts. */
  void followLive() {
    followLive(
        event -> {
          if (event.terminal()) {
            firstTerminal.putIfAbsent(event.key(), event.timestamp());
          }
        });
  }

  /** Hands every committed event to {@code listener}, in the poll's thread, until stopped. */
  void followLive(java.util.function.Consumer<Event> listener) {
    try (var consumer = consumer()) {
      live = consumer;
      assignAll(consumer);
      while (!Thread.currentThread().isInterrupted()) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          var event = parse(record);
          if (event != null) {
            listener.accept(event);
          }
        }
      }
    } catch (WakeupException e) {
      // stopLive()
    }
  }

  void stopLive() {
    var consumer = live;
    if (consumer != null) {
      consumer.wakeup();
    }
  }

  /** Every committed event from the beginning of every partition up to its end offset now. */
  List<Event> readAll() {
    var events = new ArrayList<Event>();
    try (var consumer = consumer()) {
      var partitions = assignAll(consumer);
      var ends = consumer.endOffsets(partitions, Duration.ofSeconds(60));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Reading the events topic to its end took too long");
        }
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          var event = parse(record);
          if (event != null) {
            events.add(event);
          }
        }
      }
    }
    return events;
  }

  private List<TopicPartition> assignAll(KafkaConsumer<String, String> consumer) {
    while (true) {
      try {
        var infos = consumer.partitionsFor(TOPIC, Duration.ofSeconds(10));
        if (infos != null && !infos.isEmpty()) {
          var partitions =
              infos.stream().map(i -> new TopicPartition(TOPIC, i.partition())).toList();
          consumer.assign(partitions);
          consumer.seekToBeginning(partitions);
          return partitions;
        }
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // the topic is created by the worker; the broker may be restarting
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
    }
  }

  private KafkaConsumer<String, String> consumer() {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  private static @Nullable Event parse(ConsumerRecord<String, String> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      var node = JSON.readTree(record.value());
      var error = node.get("error");
      var code = error == null || error.isNull() ? null : error.path("code").asString();
      return new Event(
          node.path("server").asString(),
          node.path("trackingId").asString(),
          node.path("state").asString(),
          node.path("eventId").asString(),
          code,
          record.partition(),
          record.offset(),
          Instant.ofEpochMilli(record.timestamp()));
    } catch (RuntimeException e) {
      System.err.println(
          "chaos: unreadable event p" + record.partition() + "@" + record.offset() + ": " + e);
      return null;
    }
  }
}

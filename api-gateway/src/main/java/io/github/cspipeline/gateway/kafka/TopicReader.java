package io.github.cspipeline.gateway.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Reads whole topics on one thread, without a consumer group: every instance assigns itself every
 * partition, so it sees every record. Each record is handed to the handler in partition order; a
 * record the handler cannot take is logged and skipped, the loop carries on.
 *
 * <p>It knows how far it has read, so callers can wait until it has passed an offset
 * (read-your-write) and the readiness check can tell whether it has caught up with the end of the
 * topics as they were when it started.
 */
public final class TopicReader implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TopicReader.class);

  /** Where reading starts on a partition: the beginning, or the first record at or after a time. */
  public sealed interface Start {
    record Beginning() implements Start {}

    record At(Duration ago) implements Start {}
  }

  private final String name;
  private final Map<String, Object> config;
  private final List<String> topics;
  private final Start start;
  private final Consumer<ConsumerRecord<String, byte[]>> handler;
  private final Clock clock;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> startEnds = new ConcurrentHashMap<>();
  private final Object progress = new Object();
  private volatile boolean running;
  private volatile boolean caughtUp;
  private volatile @Nullable KafkaConsumer<String, byte[]> consumer;
  private @Nullable Thread thread;

  public TopicReader(
      String name,
      Map<String, Object> kafkaConfig,
      List<String> topics,
      Start start,
      Consumer<ConsumerRecord<String, byte[]>> handler,
      Clock clock) {
    this.name = name;
    this.config = new HashMap<>(kafkaConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "api-gateway-" + name);
    // A waiting request is answered as soon as its record is read; an idle fetch is cheap.
    config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    this.topics = List.copyOf(topics);
    this.start = start;
    this.handler = handler;
    this.clock = clock;
  }

  /** Whether this reader has read everything that was on its topics when it started. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /**
   * Waits until this reader has handled every record before {@code endOffsets} (offsets of the next
   * record, per partition).
   *
   * @return whether it got there before the deadline
   */
  public boolean awaitPositions(Map<TopicPartition, Long> endOffsets, Instant deadline)
      throws InterruptedException {
    synchronized (progress) {
      while (!reached(endOffsets)) {
        long waitMs = Duration.between(clock.instant(), deadline).toMillis();
        if (waitMs <= 0) {
          return false;
        }
        progress.wait(waitMs);
      }
      return true;
    }
  }

  private boolean reached(Map<TopicPartition, Long> endOffsets) {
    for (var e : endOffsets.entrySet()) {
      if (e.getValue() > 0 && positions.getOrDefault(e.getKey(), -1L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void start() {
    running = true;
    thread = Thread.ofPlatform().name("api-gateway-" + name + "-reader").start(this::run);
  }

  @Override
  public void stop() {
    running = false;
    var current = consumer;
    if (current != null) {
      current.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Readers start before the web server takes requests and stop after it stopped. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE / 2;
  }

  private void run() {
    while (running) {
      try (var kafka =
          new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer = kafka;
        read(kafka);
      } catch (WakeupException e) {
        // stop() was called
      } catch (RuntimeException e) {
        // The loop never dies: a broken connection or metadata problem is retried with a fresh
        // consumer, from where this reader had got to.
        log.warn("Reader {} failed ({}); reconnecting in 1s", name, e.toString());
        sleepQuietly();
      }
    }
    consumer = null;
  }

  private void read(KafkaConsumer<String, byte[]> kafka) {
    var assigned = new java.util.ArrayList<TopicPartition>();
    long lastDiscovery = 0;
    while (running) {
      if (assigned.isEmpty()
          || missingTopics(assigned) && System.nanoTime() - lastDiscovery > 1e9) {
        lastDiscovery = System.nanoTime();
        if (discover(kafka, assigned)) {
          continue;
        }
      }
      if (assigned.isEmpty()) {
        caughtUp = true;
        sleepQuietly();
        continue;
      }
      var records = kafka.poll(Duration.ofMillis(200));
      for (var record : records) {
        try {
          handler.accept(record);
        } catch (RuntimeException e) {
          log.warn(
              "Reader {} skips record {}-{}@{} it cannot apply",
              name,
              record.topic(),
              record.partition(),
              record.offset(),
              e);
        }
      }
      for (var tp : assigned) {
        positions.put(tp, kafka.position(tp));
      }
      if (!caughtUp && reached(startEnds)) {
        caughtUp = true;
        log.info("Reader {} has caught up with {}", name, topics);
      }
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  private boolean missingTopics(List<TopicPartition> assigned) {
    return topics.stream().anyMatch(t -> assigned.stream().noneMatch(tp -> tp.topic().equals(t)));
  }

  /** Assigns the partitions of topics not yet assigned; true when the assignment changed. */
  private boolean discover(KafkaConsumer<String, byte[]> kafka, List<TopicPartition> assigned) {
    var added = new java.util.ArrayList<TopicPartition>();
    for (var topic : topics) {
      if (assigned.stream().anyMatch(tp -> tp.topic().equals(topic))) {
        continue;
      }
      var infos = kafka.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos == null || infos.isEmpty()) {
        log.debug("Reader {}: topic {} does not exist yet", name, topic);
        continue;
      }
      infos.forEach(i -> added.add(new TopicPartition(i.topic(), i.partition())));
    }
    if (added.isEmpty()) {
      return false;
    }
    // A reconnect resumes where this reader had got to; new partitions start per the policy.
    var all = new java.util.ArrayList<>(assigned);
    all.addAll(added);
    kafka.assign(all);
    var fresh = new java.util.ArrayList<TopicPartition>();
    for (var tp : all) {
      var position = positions.get(tp);
      if (position != null) {
        kafka.seek(tp, position);
      } else {
        fresh.add(tp);
      }
    }
    switch (start) {
      case Start.Beginning b -> kafka.seekToBeginning(fresh);
      case Start.At at -> {
        long from = clock.instant().minus(at.ago()).toEpochMilli();
        var times = new HashMap<TopicPartition, Long>();
        fresh.forEach(tp -> times.put(tp, from));
        var found = kafka.offsetsForTimes(times, Duration.ofSeconds(10));
        var ends = kafka.endOffsets(fresh, Duration.ofSeconds(10));
        for (var tp : fresh) {
          var offset = found.get(tp);
          kafka.seek(tp, offset != null ? offset.offset() : ends.get(tp));
        }
      }
    }
    if (!caughtUp) {
      startEnds.putAll(kafka.endOffsets(added, Duration.ofSeconds(10)));
    }
    assigned.clear();
    assigned.addAll(all);
    return true;
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

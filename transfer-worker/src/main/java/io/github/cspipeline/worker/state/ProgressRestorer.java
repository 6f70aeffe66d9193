package io.github.cspipeline.worker.state;

import io.github.cspipeline.model.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Reads the worker's state topic back when command partitions are assigned: the latest {@link
 * TransferProgress} of every transfer whose command came from one of those partitions.
 *
 * <p>It reads committed records only, and up to the log end as it was when the read started: a
 * transaction still open then (another instance's, or one of a crashed instance that the broker
 * will abort after its timeout) is waited for, so that no committed decision or pending transfer is
 * missed.
 */
public final class ProgressRestorer {

  private static final Logger log = LoggerFactory.getLogger(ProgressRestorer.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int LAYOUT_SAMPLE = 20;

  /**
   * Header of every state record: the layout (state partition count, the modulus of command
   * partition to state partition) it was written with.
   */
  public static final String LAYOUT_HEADER = "cryptshare_state-partitions";

  private final String topic;
  private final Supplier<Map<String, Object>> kafkaProperties;
  private final Duration maxWait;
  private final int layout;
  private final @Nullable NewTopic creation;
  private volatile boolean topicChecked;
  private volatile boolean layoutChecked;

  /**
   * @param kafkaProperties connection settings (bootstrap servers, security)
   * @param maxWait how long a read may take before it fails (a transaction open longer than the
   *     transaction timeout cannot be)
   */
  public ProgressRestorer(
      String topic, Supplier<Map<String, Object>> kafkaProperties, Duration maxWait) {
    this(topic, kafkaProperties, maxWait, 6, null);
  }

  /**
   * @param layout the number of state partitions the transfers are spread over (command partition
   *     modulo this): fixed for the life of the topic, whatever its partition count becomes (ADR
   *     024). The topic must have at least this many partitions.
   * @param creation how to create the topic when it does not exist; an existing topic is never
   *     changed (a generic topic admin would add partitions to match the configuration)
   */
  public ProgressRestorer(
      String topic,
      Supplier<Map<String, Object>> kafkaProperties,
      Duration maxWait,
      int layout,
      @Nullable NewTopic creation) {
    if (layout < 1) {
      throw new IllegalArgumentException("layout must be at least 1");
    }
    this.topic = topic;
    this.kafkaProperties = kafkaProperties;
    this.maxWait = maxWait;
    this.layout = layout;
    this.creation = creation;
  }

  /** The number of state partitions the transfers are spread over. */
  public int layout() {
    return layout;
  }

  /**
   * The state partition that holds the transfers of a command partition. The layout, not the
   * topic's partition count: partitions added to the topic later must not move any transfer.
   */
  public int statePartitionOf(int commandPartition) {
    return commandPartition % layout;
  }

  /**
   * @return the latest progress of each transfer of the given command partitions, by partition
   * @throws StateUnavailableException the topic could not be read in time
   */
  public Map<Integer, List<TransferProgress>> restore(Set<Integer> commandPartitions) {
    var started = Instant.now();
    var latest = new HashMap<String, TransferProgress>();
    int records = 0;
    var config = new HashMap<>(kafkaProperties.get());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // Never let a read create the topic with the broker's default partition count.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    if (!topicChecked) {
      createIfMissing(config);
    }
    config.put(
        ConsumerConfig.CLIENT_ID_CONFIG, "transfer-worker-restore-" + started.toEpochMilli());
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(topic, maxWait);
      if (infos == null || infos.isEmpty()) {
        throw new StateUnavailableException("state topic " + topic + " does not exist");
      }
      if (infos.size() < layout) {
        throw new StateUnavailableException(
            ("state topic %s has %d partitions, fewer than the %d its layout needs"
                    + " (cryptshare.worker.topics.state-partitions); a state topic's layout cannot"
                    + " change: set state-partitions to the partition count it was created with")
                .formatted(topic, infos.size(), layout));
      }
      if (!layoutChecked) {
        checkLayoutOfEveryPartition(config, infos.size());
      }
      var wanted = new TreeSet<Integer>();
      commandPartitions.forEach(p -> wanted.add(statePartitionOf(p)));
      var assigned = wanted.stream().map(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      var ends = logEnds(config, assigned);
      var open = new HashSet<>(assigned);
      var deadline = started.plus(maxWait);
      while (!open.isEmpty()) {
        if (Instant.now().isAfter(deadline)) {
          throw new StateUnavailableException(
              "state topic %s not read up to %s within %s".formatted(topic, ends, maxWait));
        }
        for (var record : consumer.poll(POLL)) {
          records++;
          checkLayout(record);
          if (record.value() == null) {
            latest.remove(record.key());
            continue;
          }
          try {
            var progress = WireFormat.mapper().readValue(record.value(), TransferProgress.class);
            if (commandPartitions.contains(progress.commandPartition())) {
              latest.put(record.key(), progress);
            }
          } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            log.warn(
                "Skipping unreadable record {}-{}@{} of the state topic: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                e.getMessage());
          }
        }
        open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new StateUnavailableException("could not read state topic " + topic, e);
    }
    var byPartition = new HashMap<Integer, List<TransferProgress>>();
    commandPartitions.forEach(p -> byPartition.put(p, new ArrayList<>()));
    latest.values().forEach(p -> byPartition.get(p.commandPartition()).add(p));
    log.info(
        "Restored {} transfers of command partitions {} from {} records of {} in {} ms",
        latest.size(),
        commandPartitions,
        records,
        topic,
        Duration.between(started, Instant.now()).toMillis());
    return byPartition;
  }

  private void createIfMissing(Map<String, Object> config) {
    if (creation == null) {
      topicChecked = true;
      return;
    }
    try (var admin = admin(config)) {
      var names = admin.listTopics().names().get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
      if (!names.contains(topic)) {
        try {
          admin
              .createTopics(List.of(creation))
              .all()
              .get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
          log.info("Created state topic {} with {} partitions", topic, creation.numPartitions());
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            throw e;
          }
        }
      }
      topicChecked = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateUnavailableException("interrupted while creating " + topic, e);
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException
        | org.apache.kafka.common.KafkaException e) {
      throw new StateUnavailableException("could not check or create state topic " + topic, e);
    }
  }

  // An admin client with the consumer's connection and security settings: it knows no others.
  private static Admin admin(Map<String, Object> consumerConfig) {
    var adminConfig = new HashMap<>(consumerConfig);
    adminConfig.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
    return Admin.create(adminConfig);
  }

  // Once per process: the last records of every partition must carry this layout. Reading only
  // the wanted partitions would miss a change whose new partitions are still empty (the topic
  // grown and state-partitions raised together): transfers would be looked for where none are.
  private void checkLayoutOfEveryPartition(Map<String, Object> config, int partitionCount) {
    var sampling = new HashMap<>(config);
    // Aborted records carry the layout too; no need to wait for open transactions.
    sampling.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    sampling.put(
        ConsumerConfig.CLIENT_ID_CONFIG, "transfer-worker-layout-" + Instant.now().toEpochMilli());
    try (var consumer =
        new KafkaConsumer<>(sampling, new StringDeserializer(), new ByteArrayDeserializer())) {
      var all = new ArrayList<TopicPartition>();
      for (int p = 0; p < partitionCount; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      var begins = consumer.beginningOffsets(all, maxWait);
      var ends = consumer.endOffsets(all, maxWait);
      var open = new HashSet<TopicPartition>();
      for (var tp : all) {
        if (ends.get(tp) > begins.get(tp)) {
          consumer.seek(tp, Math.max(begins.get(tp), ends.get(tp) - LAYOUT_SAMPLE));
          open.add(tp);
        }
      }
      var deadline = Instant.now().plus(maxWait);
      while (!open.isEmpty()) {
        if (Instant.now().isAfter(deadline)) {
          throw new StateUnavailableException(
              "could not sample the layout of state topic %s within %s".formatted(topic, maxWait));
        }
        for (var record : consumer.poll(POLL)) {
          checkLayout(record);
        }
        open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new StateUnavailableException("could not sample the layout of " + topic, e);
    }
    layoutChecked = true;
  }

  // A record written with another layout means state-partitions was changed for an existing topic:
  // transfers of some command partitions would now be looked for in the wrong state partition.
  // Refusing keeps every decision and pending transfer where it is until the setting is restored.
  private void checkLayout(
      org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
    var header = record.headers().lastHeader(LAYOUT_HEADER);
    if (header == null) {
      return;
    }
    var written = new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    if (!written.equals(Integer.toString(layout))) {
      throw new StateUnavailableException(
          ("state topic %s was written with state-partitions=%s, but this worker has %d; a state"
                  + " topic's layout cannot change: set cryptshare.worker.topics.state-partitions"
                  + " back to %s")
              .formatted(topic, written, layout, written));
    }
  }

  /**
   * Which of these decided records are committed on the state topic: the latest record of the
   * transfer is that decision. Waits, like {@link #restore}, for transactions still open.
   *
   * @throws StateUnavailableException the topic could not be read in time
   */
  public Set<TransferProgress> committed(Collection<TransferProgress> decided) {
    var commandPartitions = new TreeSet<Integer>();
    decided.forEach(d -> commandPartitions.add(d.commandPartition()));
    var latest = new HashMap<String, TransferProgress>();
    restore(commandPartitions).values().forEach(list -> list.forEach(p -> latest.put(p.key(), p)));
    var committed = new HashSet<TransferProgress>();
    for (var d : decided) {
      var found = latest.get(d.key());
      if (found != null
          && !found.isPending()
          && found.outcome() == d.outcome()
          && Objects.equals(found.decidedAt(), d.decidedAt())) {
        committed.add(d);
      }
    }
    return committed;
  }

  // The end including uncommitted records: reading (committed only) up to it waits for every
  // transaction that was open when the read started.
  private Map<TopicPartition, Long> logEnds(
      Map<String, Object> config, List<TopicPartition> partitions) {
    try (var admin = admin(config)) {
      var request = new HashMap<TopicPartition, OffsetSpec>();
      partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
      var answer =
          admin
              .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
              .all()
              .get(maxWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      var ends = new HashMap<TopicPartition, Long>();
      answer.forEach((tp, info) -> ends.put(tp, info.offset()));
      return ends;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateUnavailableException("interrupted while reading the state topic", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new StateUnavailableException("could not read the end offsets of " + topic, e);
    } catch (TimeoutException e) {
      throw new StateUnavailableException("could not read the end offsets of " + topic, e);
    }
  }
}

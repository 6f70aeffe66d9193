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
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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

  private final String topic;
  private final Supplier<Map<String, Object>> kafkaProperties;
  private final Duration maxWait;
  private volatile int partitions;

  /**
   * @param kafkaProperties connection settings (bootstrap servers, security)
   * @param maxWait how long a read may take before it fails (a transaction open longer than the
   *     transaction timeout cannot be)
   */
  public ProgressRestorer(
      String topic, Supplier<Map<String, Object>> kafkaProperties, Duration maxWait) {
    this.topic = topic;
    this.kafkaProperties = kafkaProperties;
    this.maxWait = maxWait;
  }

  /** The state partition that holds the transfers of a command partition. */
  public int statePartitionOf(int commandPartition) {
    int count = partitions;
    if (count == 0) {
      throw new IllegalStateException("state topic " + topic + " has not been read yet");
    }
    return commandPartition % count;
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
    config.put(
        ConsumerConfig.CLIENT_ID_CONFIG, "transfer-worker-restore-" + started.toEpochMilli());
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(topic, maxWait);
      if (infos == null || infos.isEmpty()) {
        throw new StateUnavailableException("state topic " + topic + " does not exist");
      }
      partitions = infos.size();
      var wanted = new TreeSet<Integer>();
      commandPartitions.forEach(p -> wanted.add(p % partitions));
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
    var adminConfig = new HashMap<>(config);
    adminConfig.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
    try (var admin = Admin.create(adminConfig)) {
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

package io.github.cspipeline.poller.watch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the compacted watch topic with as many partitions as the events topic, or adds partitions
 * when the events topic grew. Watch partition {@code p} belongs to events partition {@code p}, so
 * existing watches stay where their owner looks for them.
 *
 * <p>Where a platform manages the topics ({@code spring.kafka.admin.auto-create=false}, e.g.
 * Strimzi {@code KafkaTopic}s, ADR 026) it changes nothing: a watch topic that is missing or has
 * fewer partitions than the events topic fails the partition's load, which is retried, and says
 * what the platform must provide.
 */
public final class WatchTopicSetup implements WatchJournal.TopicSetup {

  private static final Logger log = LoggerFactory.getLogger(WatchTopicSetup.class);
  private static final long TIMEOUT_SECONDS = 30;

  private final Admin admin;
  private final String eventsTopic;
  private final String watchesTopic;
  private final boolean manage;
  private volatile int known;

  public WatchTopicSetup(Admin admin, String eventsTopic, String watchesTopic) {
    this(admin, eventsTopic, watchesTopic, true);
  }

  /**
   * @param manage whether the poller creates the watch topic and adds partitions to it; {@code
   *     false} where the platform owns the topics ({@code spring.kafka.admin.auto-create=false})
   */
  public WatchTopicSetup(Admin admin, String eventsTopic, String watchesTopic, boolean manage) {
    this.admin = admin;
    this.eventsTopic = eventsTopic;
    this.watchesTopic = watchesTopic;
    this.manage = manage;
  }

  @Override
  public synchronized void ensurePartition(int partition) {
    if (partition < known) {
      return;
    }
    try {
      int wanted = Math.max(partition + 1, partitionsOf(eventsTopic));
      int existing = existingPartitions();
      if (!manage && existing < wanted) {
        throw new IllegalStateException(
            ("watch topic %s has %d partitions, %s needs %d; topic creation is off"
                    + " (spring.kafka.admin.auto-create=false): create it compacted with as many"
                    + " partitions as %s")
                .formatted(watchesTopic, existing, eventsTopic, wanted, eventsTopic));
      }
      if (existing == 0) {
        create(wanted);
        existing = wanted;
      } else if (existing < wanted) {
        admin
            .createPartitions(Map.of(watchesTopic, NewPartitions.increaseTo(wanted)))
            .all()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        log.info(
            "Grew {} from {} to {} partitions like {}",
            watchesTopic,
            existing,
            wanted,
            eventsTopic);
        existing = wanted;
      }
      known = existing;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while setting up " + watchesTopic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot set up " + watchesTopic + ": " + e, e);
    }
  }

  private void create(int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    // Replicas: the broker's default.replication.factor.
    var topic =
        new NewTopic(watchesTopic, java.util.Optional.of(partitions), java.util.Optional.empty())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    try {
      admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      log.info("Created the compacted watch topic {} with {} partitions", watchesTopic, partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private int existingPartitions()
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return partitionsOf(watchesTopic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return 0;
      }
      throw e;
    }
  }

  private int partitionsOf(String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .size();
  }
}

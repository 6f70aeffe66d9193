package io.github.cspipeline.poller.watch;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * Hands watches over with the events partitions: the consumer's rebalance callbacks run on the
 * consumer thread inside {@code poll}, so a partition's watches are loaded before its first event
 * is handled, and dropped before another instance may take it.
 */
public final class WatchPartitions implements ConsumerAwareRebalanceListener {

  private final WatchJournal journal;
  private final String topic;

  public WatchPartitions(WatchJournal journal, String topic) {
    this.journal = journal;
    this.topic = topic;
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    journal.assigned(ofTopic(partitions));
  }

  @Override
  public void onPartitionsRevokedAfterCommit(
      Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    journal.revoked(ofTopic(partitions));
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    // The group gave them away already; whatever the writer still tries for them fails, since the
    // new owner fenced this instance's producers.
    journal.revoked(ofTopic(partitions));
  }

  private List<Integer> ofTopic(Collection<TopicPartition> partitions) {
    return partitions.stream()
        .filter(tp -> tp.topic().equals(topic))
        .map(TopicPartition::partition)
        .toList();
  }
}

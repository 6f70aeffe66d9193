package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PartitionUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.BatchConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;

/**
 * The Kafka edge of the intake: reads transfer events in batches, lets the {@link WatchKeeper}
 * decide what they change, and has the {@link WatchJournal} write the changes of each partition
 * together with the partition's offset in one transaction. Offsets are committed only that way.
 *
 * <p>A record that cannot be handled is reported by its index in the batch: the records before it
 * are done, the error handler dead-letters or retries it, the records after it come again.
 *
 * <p>A plain listener, not a {@code @KafkaListener} method: see {@code
 * KafkaConfig#transferEventContainer} for why.
 */
public class TransferEventListener
    implements BatchConsumerAwareMessageListener<String, @Nullable TransferEvent> {

  static final String TRACEPARENT = "traceparent";

  private final WatchKeeper keeper;
  private final WatchJournal journal;
  private final String topic;

  public TransferEventListener(WatchKeeper keeper, WatchJournal journal, String topic) {
    this.keeper = keeper;
    this.journal = journal;
    this.topic = topic;
  }

  /** The topic this listener reads. */
  public String topic() {
    return topic;
  }

  @Override
  public void onMessage(
      List<ConsumerRecord<String, @Nullable TransferEvent>> records, Consumer<?, ?> consumer) {
    var group = consumer.groupMetadata();
    // The changes of every partition in the batch are queued first and awaited after, so that they
    // share the journal's round (one transaction per partition, all committed at once) rather than
    // waiting for one round per partition. They are awaited in order: the first that failed is
    // where the batch is redelivered from; a later partition's records that committed meanwhile
    // come again and change nothing (their watches exist or ended; the offset is the same).
    var queued = new ArrayList<Queued>();
    BatchListenerFailedException stop = null;
    int i = 0;
    while (i < records.size() && stop == null) {
      int first = i;
      int partition = records.get(i).partition();
      if (!journal.isOpen(partition)) {
        stop =
            new BatchListenerFailedException(
                "watches of partition " + partition + " not loaded",
                new PartitionUnavailableException(topic, partition),
                first);
        break;
      }
      var changes = new PartitionChanges(partition);
      RuntimeException invalid = null;
      for (; i < records.size() && records.get(i).partition() == partition; i++) {
        var record = records.get(i);
        try {
          keeper.onEvent(
              record.value(), String.valueOf(record.key()), header(record, TRACEPARENT), changes);
        } catch (RuntimeException e) {
          invalid = e;
          break;
        }
        changes.handledUpTo(record.offset() + 1);
      }
      if (!changes.isEmpty()) {
        try {
          queued.add(new Queued(partition, first, journal.recordLater(changes, group)));
        } catch (RuntimeException e) {
          stop =
              new BatchListenerFailedException(
                  "could not record the watches of partition " + partition, e, first);
          break;
        }
      }
      if (invalid != null) {
        stop = new BatchListenerFailedException(String.valueOf(invalid.getMessage()), invalid, i);
      }
    }
    for (var q : queued) {
      try {
        journal.awaitRecorded(q.recorded(), q.partition());
      } catch (RuntimeException e) {
        throw new BatchListenerFailedException(
            "could not record the watches of partition " + q.partition(), e, q.first());
      }
    }
    if (stop != null) {
      throw stop;
    }
  }

  /** The queued changes of one partition, whose records start at index {@code first}. */
  private record Queued(int partition, int first, CompletableFuture<Void> recorded) {}

  private static @Nullable String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}

package io.github.cspipeline.poller.watch;

import io.github.cspipeline.kafka.GroupCommit;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.poller.error.PartitionUnavailableException;
import io.github.cspipeline.poller.error.PublishException;
import io.github.cspipeline.poller.publish.EventRecords;
import io.github.cspipeline.poller.watch.JournalOp.Changes;
import io.github.cspipeline.poller.watch.JournalOp.Close;
import io.github.cspipeline.poller.watch.JournalOp.Finish;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the journal's rounds on its writer thread: the ops of a round are grouped by partition,
 * and each partition's ops go into one transaction of that partition's producer, a hand-over ending
 * the transaction before it. A terminal event is durable exactly when its watch's tombstone is, and
 * changes land with the offset up to which their events are handled. After a failed transaction the
 * partition is {@link WatchTakeover#reset reset}: its ops fail and it is loaded again, never
 * retried blindly.
 */
final class JournalWriter implements GroupCommit.Writer<JournalOp> {

  private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);

  private final String eventsTopic;
  private final String watchesTopic;
  private final WatchIndex index;
  private final WatchTakeover takeover;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, Counter> transactionCounters = new ConcurrentHashMap<>();

  JournalWriter(
      String eventsTopic,
      String watchesTopic,
      WatchIndex index,
      WatchTakeover takeover,
      MeterRegistry registry,
      Clock clock) {
    this.eventsTopic = eventsTopic;
    this.watchesTopic = watchesTopic;
    this.index = index;
    this.takeover = takeover;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public void write(List<JournalOp> round, boolean again) {
    var byPartition = new LinkedHashMap<Integer, List<JournalOp>>();
    for (var op : round) {
      int partition =
          switch (op) {
            case Changes c -> c.changes().partition();
            case Finish f -> index.partitionOf(f.watch());
            case Close c -> c.partition();
          };
      if (partition < 0) {
        // The watch ended or its partition moved on since the poll started.
        ((Finish) op).done().complete(false);
        continue;
      }
      byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(op);
    }
    byPartition.forEach(
        (partition, ops) -> {
          var segment = new ArrayList<JournalOp>();
          for (var op : ops) {
            if (op instanceof Close close) {
              commit(partition, segment);
              segment.clear();
              takeover.handOver(partition);
              close.done().complete(null);
            } else {
              segment.add(op);
            }
          }
          commit(partition, segment);
        });
  }

  @Override
  public void failed(List<JournalOp> round, RuntimeException cause, long retryInMillis) {
    // A bug must not stop the writer; whatever the round held is failed, never left hanging.
    log.error("Writing to the watch topic failed unexpectedly; carrying on", cause);
    round.forEach(
        op -> JournalOp.fail(op, new PublishException("a round of watch changes", cause)));
  }

  @Override
  public void abandon(JournalOp op) {
    JournalOp.fail(op, JournalOp.stopping());
  }

  private void commit(int partition, List<JournalOp> ops) {
    if (ops.isEmpty()) {
      return;
    }
    var producer = takeover.producerOf(partition);
    if (producer == null) {
      ops.forEach(
          op -> {
            if (op instanceof Finish finish) {
              finish.done().complete(false);
            } else {
              JournalOp.fail(op, new PartitionUnavailableException(eventsTopic, partition));
            }
          });
      return;
    }
    var changes = new ArrayList<Changes>();
    var finishes = new ArrayList<Finish>();
    var endedHere = new HashSet<TransferKey>();
    long offset = -1;
    ConsumerGroupMetadata group = null;
    try {
      producer.beginTransaction();
      for (var op : ops) {
        if (op instanceof Changes c) {
          for (var watch : c.changes().started()) {
            producer.send(watchRecord(partition, watch));
          }
          for (var key : c.changes().ended()) {
            producer.send(tombstone(partition, key));
            endedHere.add(key);
          }
          if (c.changes().nextOffset() > offset) {
            offset = c.changes().nextOffset();
            group = c.group();
          }
          changes.add(c);
        } else if (op instanceof Finish f) {
          var key = f.watch().key();
          if (endedHere.contains(key) || index.partitionOf(f.watch()) != partition) {
            f.done().complete(false);
            continue;
          }
          producer.send(EventRecords.terminal(eventsTopic, partition, f.event(), f.traceparent()));
          producer.send(tombstone(partition, key));
          endedHere.add(key);
          finishes.add(f);
        }
      }
      if (offset >= 0 && group != null) {
        producer.sendOffsetsToTransaction(
            Map.of(new TopicPartition(eventsTopic, partition), new OffsetAndMetadata(offset)),
            group);
      }
      producer.commitTransaction();
    } catch (RuntimeException e) {
      var failure = new PublishException("a transaction of partition " + partition, e);
      // All of the segment, also the ops after the one that failed (those told false stay so).
      ops.forEach(op -> JournalOp.fail(op, failure));
      transactions("failed");
      takeover.reset(partition, producer, e);
      return;
    }
    transactions("committed");
    for (var c : changes) {
      c.changes().applyTo(index);
      c.done().complete(null);
    }
    for (var f : finishes) {
      index.end(f.watch().key());
      f.done().complete(true);
    }
  }

  private ProducerRecord<String, byte[]> watchRecord(int partition, Watch watch) {
    // The record's partition is the events partition of the PROCESSING event: explicit, so that
    // whoever owns events partition p finds every watch of p in watch partition p.
    return new ProducerRecord<>(
        watchesTopic,
        partition,
        WatchRecord.keyOf(watch.key()),
        WireFormat.mapper().writeValueAsBytes(WatchRecord.of(watch, clock.instant())));
  }

  private ProducerRecord<String, byte[]> tombstone(int partition, TransferKey key) {
    return new ProducerRecord<>(watchesTopic, partition, WatchRecord.keyOf(key), null);
  }

  private void transactions(String outcome) {
    // Built once per outcome: this runs for every transaction.
    transactionCounters
        .computeIfAbsent(
            outcome,
            o ->
                Counter.builder("cryptshare.poller.transactions")
                    .description("Kafka transactions of the watch journal, by outcome")
                    .tag("outcome", o)
                    .register(registry))
        .increment();
  }
}

package io.github.cspipeline.poller.watch;

import io.github.cspipeline.kafka.GroupCommit;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PartitionUnavailableException;
import io.github.cspipeline.poller.error.PublishException;
import io.github.cspipeline.poller.watch.JournalOp.Changes;
import io.github.cspipeline.poller.watch.JournalOp.Close;
import io.github.cspipeline.poller.watch.JournalOp.Finish;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * The durable side of the watch list. Every write concerning events partition {@code p} goes
 * through one transactional producer whose {@code transactional.id} is {@code <prefix>-<p>}:
 *
 * <ul>
 *   <li>watches started or ended by the events of {@code p}, together with the offset up to which
 *       those events are handled;
 *   <li>a terminal event (to events partition {@code p}) together with the tombstone of its watch.
 * </ul>
 *
 * <p>An instance that takes {@code p} over first initialises that producer, which fences the
 * previous owner and completes or aborts its open transaction, and only then reads watch partition
 * {@code p} to its end. So no write of a previous owner can land after the new owner has loaded the
 * partition, and a terminal event is durable exactly when its watch's end is.
 *
 * <p>This class is the journal's face and lifecycle: {@link WatchTakeover} owns the partitions and
 * their producers, {@link JournalWriter} writes, and one {@link GroupCommit} thread runs the
 * transactions, grouping what is queued for a partition into one. A round waits up to {@code
 * linger} after its first write for more: a transaction costs the broker and the producer about the
 * same whether it carries one transfer or dozens, and a few tens of milliseconds are nothing next
 * to poll intervals of seconds. After any failed transaction the partition's watches are dropped
 * and loaded again from the topic, which is the truth whatever the outcome of the failed commit
 * was.
 */
public final class WatchJournal implements TerminalPublisher, SmartLifecycle {

  /** Creates a transactional producer with the given {@code transactional.id}. */
  @FunctionalInterface
  public interface Producers {
    Producer<String, byte[]> create(String transactionalId);
  }

  /** Reads a partition of the watch topic from its beginning to its (committed) end. */
  @FunctionalInterface
  public interface Loader {
    void read(String topic, int partition, RecordSink sink);

    /** Receives the records of a partition in offset order; a null value is a tombstone. */
    @FunctionalInterface
    interface RecordSink {
      void accept(@Nullable String key, byte @Nullable [] value);
    }
  }

  /** Makes sure the watch topic exists with a partition for every events partition. */
  @FunctionalInterface
  public interface TopicSetup {
    void ensurePartition(int partition);
  }

  /** Starts after nothing but before the listener container, and stops after it. */
  public static final int PHASE = Integer.MAX_VALUE - 200;

  private static final int MAX_OPS_PER_ROUND = 5_000;
  private static final Duration WAIT_FOR_COMMIT = Duration.ofMinutes(2);

  private final String eventsTopic;
  private final WatchTakeover takeover;
  private final GroupCommit<JournalOp> commits;

  public WatchJournal(
      String eventsTopic,
      String watchesTopic,
      String transactionalIdPrefix,
      WatchIndex index,
      WatchKeeper keeper,
      Producers producers,
      Loader loader,
      TopicSetup topicSetup,
      MeterRegistry registry,
      Clock clock,
      Duration linger) {
    this.eventsTopic = eventsTopic;
    this.takeover =
        new WatchTakeover(
            watchesTopic,
            transactionalIdPrefix,
            index,
            producers,
            new WatchRestore(watchesTopic, index, keeper, loader),
            topicSetup,
            registry);
    // Failed transactions are not retried: the partition is loaded again (WatchTakeover.reset).
    this.commits =
        new GroupCommit<>(
            new GroupCommit.Settings("watch-journal", MAX_OPS_PER_ROUND, linger, null),
            new JournalWriter(eventsTopic, watchesTopic, index, takeover, registry, clock));
  }

  // --- partition ownership, called by the consumer's rebalance listener ---

  /**
   * Takes over the watches of newly assigned events partitions, before any of their events is
   * handled. A partition that cannot be opened now (Kafka trouble) is retried in the background;
   * its events wait meanwhile.
   */
  public void assigned(Collection<Integer> partitions) {
    takeover.assigned(partitions);
  }

  /**
   * Hands partitions over: what is queued for them is still written, then their producer is closed
   * and their watches are dropped from memory (the new owner loads them).
   */
  public void revoked(Collection<Integer> partitions) {
    var closing = new ArrayList<CompletableFuture<Void>>();
    for (int partition : partitions) {
      takeover.unassigned(partition);
      var close = new Close(partition, new CompletableFuture<>());
      closing.add(close.done());
      enqueueOrRun(close);
    }
    for (var done : closing) {
      await(done, Duration.ofSeconds(30), "the hand-over of partitions " + partitions);
    }
  }

  public boolean isOpen(int partition) {
    return takeover.isOpen(partition);
  }

  // --- writes ---

  /**
   * Writes the watches started and ended by the events of one partition together with the offset up
   * to which those events are handled, and applies them to the index once committed.
   *
   * @throws PartitionUnavailableException when the partition is not open on this instance
   * @throws PublishException when Kafka did not commit
   */
  public void record(PartitionChanges changes, @Nullable ConsumerGroupMetadata group) {
    awaitRecorded(recordLater(changes, group), changes.partition());
  }

  /**
   * Queues the changes of one partition like {@link #record}, without waiting: so that the changes
   * of several partitions go into one round. {@link #awaitRecorded} waits for them.
   *
   * @throws PartitionUnavailableException when the partition is not open on this instance
   */
  public CompletableFuture<Void> recordLater(
      PartitionChanges changes, @Nullable ConsumerGroupMetadata group) {
    if (!isOpen(changes.partition())) {
      throw new PartitionUnavailableException(eventsTopic, changes.partition());
    }
    var op = new Changes(changes, group, new CompletableFuture<>());
    enqueue(op);
    return op.done();
  }

  /**
   * Waits until changes queued by {@link #recordLater} are committed and applied to the index.
   *
   * @throws PublishException when Kafka did not commit
   */
  public void awaitRecorded(CompletableFuture<Void> recorded, int partition) {
    await(recorded, WAIT_FOR_COMMIT, "the watches of partition " + partition);
  }

  @Override
  public boolean publishTerminal(Watch watch, TransferEvent event, @Nullable String traceparent) {
    var op = new Finish(watch, event, traceparent, new CompletableFuture<>());
    enqueue(op);
    try {
      return op.done().get(WAIT_FOR_COMMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException(event, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof PublishException publish
          ? publish
          : new PublishException(event, e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      throw new PublishException(event, e);
    }
  }

  private void enqueue(JournalOp op) {
    if (!commits.isRunning()) {
      throw new PublishException("while the poller is stopping", new IllegalStateException());
    }
    commits.submit(op);
  }

  // The consumer leaves the group during shutdown, after the writer may have stopped.
  private void enqueueOrRun(Close close) {
    if (commits.isRunning()) {
      commits.submit(close);
    } else {
      takeover.handOver(close.partition());
      close.done().complete(null);
    }
  }

  private static void await(CompletableFuture<?> done, Duration timeout, String what) {
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException(what, e);
    } catch (ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new PublishException(what, cause == null ? e : cause);
    } catch (TimeoutException e) {
      throw new PublishException(what, e);
    }
  }

  // --- lifecycle ---

  @Override
  public synchronized void start() {
    if (commits.isRunning()) {
      return;
    }
    takeover.start();
    commits.start();
  }

  @Override
  public synchronized void stop() {
    if (!commits.isRunning()) {
      return;
    }
    takeover.stop();
    // What is queued is still written (no retries: a failed transaction fails its callers).
    commits.stop(Duration.ZERO, Duration.ofSeconds(30));
    takeover.closeAll();
  }

  @Override
  public boolean isRunning() {
    return commits.isRunning();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}

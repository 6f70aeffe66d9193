package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PartitionUnavailableException;
import io.github.cspipeline.poller.error.PublishException;
import io.github.cspipeline.poller.publish.EventRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.core.JacksonException;

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
 * <p>One writer thread runs the transactions, grouping what is queued for a partition into one
 * (group commit). A round waits up to {@code linger} after its first write for more: a transaction
 * costs the broker and the producer about the same whether it carries one transfer or dozens, and a
 * few tens of milliseconds are nothing next to poll intervals of seconds. After any failed
 * transaction the partition's watches are dropped and loaded again from the topic, which is the
 * truth whatever the outcome of the failed commit was.
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

  private static final Logger log = LoggerFactory.getLogger(WatchJournal.class);
  private static final int MAX_OPS_PER_ROUND = 5_000;
  private static final Duration WAIT_FOR_COMMIT = Duration.ofMinutes(2);

  /**
   * Tries to load a partition whose load failed (Kafka trouble): 1 s, doubling to at most 10 s
   * apart. With the poll backoff cap (a loaded watch is polled within one interval), the 10 s bound
   * how long after Kafka is back a partition's watches are polled again (ADR 022).
   */
  private static final ExponentialBackOff REOPEN = new ExponentialBackOff(1_000, 2);

  static final Duration MAX_REOPEN_DELAY = Duration.ofSeconds(10);

  static {
    REOPEN.setMaxInterval(MAX_REOPEN_DELAY.toMillis());
  }

  private sealed interface Op permits Changes, Finish, Close {}

  private record Changes(
      PartitionChanges changes, @Nullable ConsumerGroupMetadata group, CompletableFuture<Void> done)
      implements Op {}

  private record Finish(
      Watch watch,
      TransferEvent event,
      @Nullable String traceparent,
      CompletableFuture<Boolean> done)
      implements Op {}

  private record Close(int partition, CompletableFuture<Void> done) implements Op {}

  private record OpenPartition(Producer<String, byte[]> producer) {}

  private final String eventsTopic;
  private final String watchesTopic;
  private final String transactionalIdPrefix;
  private final WatchIndex index;
  private final WatchKeeper keeper;
  private final Producers producers;
  private final Loader loader;
  private final TopicSetup topicSetup;
  private final MeterRegistry registry;
  private final Clock clock;
  private final long lingerNanos;
  private final Map<Integer, OpenPartition> open = new ConcurrentHashMap<>();
  private final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
  private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final ReentrantLock openLock = new ReentrantLock();
  private final Timer takeoverTimer;
  private final Map<String, Counter> transactionCounters = new ConcurrentHashMap<>();
  private volatile boolean running;
  private @Nullable Thread writer;
  private @Nullable ScheduledExecutorService recovery;

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
    this.watchesTopic = watchesTopic;
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.index = index;
    this.keeper = keeper;
    this.producers = producers;
    this.loader = loader;
    this.topicSetup = topicSetup;
    this.registry = registry;
    this.clock = clock;
    this.lingerNanos = linger.toNanos();
    this.takeoverTimer =
        Timer.builder("cryptshare.poller.takeover")
            .description(
                "Time to take a partition over: fence its previous owner, load its watches")
            .register(registry);
    Gauge.builder("cryptshare.poller.partitions", open, Map::size)
        .description("Partitions whose watches this instance holds")
        .register(registry);
    Gauge.builder("cryptshare.poller.partitions.loading", this, WatchJournal::loading)
        .description(
            "Partitions assigned to this instance whose watches could not be loaded yet (retried"
                + " in the background)")
        .register(registry);
  }

  // --- partition ownership, called by the consumer's rebalance listener ---

  /**
   * Takes over the watches of newly assigned events partitions, before any of their events is
   * handled. A partition that cannot be opened now (Kafka trouble) is retried in the background;
   * its events wait meanwhile.
   */
  public void assigned(Collection<Integer> partitions) {
    for (int partition : partitions) {
      assigned.add(partition);
      try {
        open(partition);
      } catch (RuntimeException e) {
        var retry = REOPEN.start();
        long delay = retry.nextBackOff();
        log.warn(
            "Could not take over partition {} of {} ({}); trying again in {} ms",
            partition,
            watchesTopic,
            e.toString(),
            delay);
        scheduleReopen(partition, delay, retry);
      }
    }
  }

  /**
   * Hands partitions over: what is queued for them is still written, then their producer is closed
   * and their watches are dropped from memory (the new owner loads them).
   */
  public void revoked(Collection<Integer> partitions) {
    var closing = new ArrayList<CompletableFuture<Void>>();
    for (int partition : partitions) {
      assigned.remove(partition);
      var close = new Close(partition, new CompletableFuture<>());
      closing.add(close.done());
      enqueueOrRun(close);
    }
    for (var done : closing) {
      await(done, Duration.ofSeconds(30), "the hand-over of partitions " + partitions);
    }
  }

  public boolean isOpen(int partition) {
    return open.containsKey(partition);
  }

  private int loading() {
    int count = 0;
    for (int partition : assigned) {
      if (!open.containsKey(partition)) {
        count++;
      }
    }
    return count;
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

  private void enqueue(Op op) {
    if (!running) {
      throw new PublishException("while the poller is stopping", new IllegalStateException());
    }
    queue.add(op);
  }

  // The consumer leaves the group during shutdown, after the writer may have stopped.
  private void enqueueOrRun(Close close) {
    if (running) {
      queue.add(close);
    } else {
      close(close);
    }
  }

  private void writeLoop() {
    var round = new ArrayList<Op>();
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        round.add(first);
        queue.drainTo(round, MAX_OPS_PER_ROUND - 1);
        linger(round);
        write(round);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        // A bug must not stop the writer; whatever the round held is failed, never left hanging.
        log.error("Writing to the watch topic failed unexpectedly; carrying on", e);
        round.forEach(op -> fail(op, new PublishException("a round of watch changes", e)));
      } finally {
        round.clear();
      }
    }
    queue.forEach(
        op -> fail(op, new PublishException("while stopping", new IllegalStateException())));
  }

  /** Waits up to the linger after a round's first write for more writes to join the round. */
  private void linger(List<Op> round) throws InterruptedException {
    long until = System.nanoTime() + lingerNanos;
    while (round.size() < MAX_OPS_PER_ROUND && running) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      var next = queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      round.add(next);
      queue.drainTo(round, MAX_OPS_PER_ROUND - round.size());
    }
  }

  private void write(List<Op> round) {
    var byPartition = new LinkedHashMap<Integer, List<Op>>();
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
          var segment = new ArrayList<Op>();
          for (var op : ops) {
            if (op instanceof Close close) {
              commit(partition, segment);
              segment.clear();
              close(close);
            } else {
              segment.add(op);
            }
          }
          commit(partition, segment);
        });
  }

  private void commit(int partition, List<Op> ops) {
    if (ops.isEmpty()) {
      return;
    }
    var target = open.get(partition);
    if (target == null) {
      ops.forEach(
          op -> {
            if (op instanceof Finish finish) {
              finish.done().complete(false);
            } else {
              fail(op, new PartitionUnavailableException(eventsTopic, partition));
            }
          });
      return;
    }
    var producer = target.producer();
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
      changes.forEach(c -> c.done().completeExceptionally(failure));
      finishes.forEach(f -> f.done().completeExceptionally(failure));
      reset(partition, target, e);
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

  private void close(Close close) {
    var closed = open.remove(close.partition());
    int dropped = index.drop(close.partition());
    if (closed != null) {
      closeQuietly(closed.producer(), Duration.ofSeconds(5));
      log.info(
          "Handed partition {} over: {} watches left to its next owner",
          close.partition(),
          dropped);
    }
    close.done().complete(null);
  }

  /**
   * After a failed transaction nobody knows for sure what committed; the watch topic does. Drops
   * the partition and loads it again, which also fences the failed producer's epoch.
   */
  private void reset(int partition, OpenPartition failed, RuntimeException cause) {
    transactions("failed");
    open.remove(partition, failed);
    int dropped = index.drop(partition);
    closeQuietly(failed.producer(), Duration.ZERO);
    log.warn(
        "A transaction of partition {} failed ({}); dropped its {} watches and loading them again"
            + " from {}",
        partition,
        cause.toString(),
        dropped,
        watchesTopic);
    scheduleReopen(partition, 0, REOPEN.start());
  }

  private void scheduleReopen(int partition, long delayMillis, BackOffExecution retry) {
    var executor = recovery;
    if (executor == null || executor.isShutdown()) {
      return;
    }
    try {
      executor.schedule(
          () -> {
            try {
              open(partition);
            } catch (RuntimeException | Error e) {
              // Tried again whatever failed: a partition that is never loaded again would leave its
              // watches unpolled and its events unread for good.
              long next = retry.nextBackOff();
              log.warn(
                  "Could not load the watches of partition {} ({}); trying again in {} ms",
                  partition,
                  e.toString(),
                  next);
              scheduleReopen(partition, next, retry);
            }
          },
          delayMillis,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      log.debug("Not loading partition {} again: the poller is stopping", partition);
    }
  }

  /** Initialises the partition's producer (fencing its previous owner), then loads its watches. */
  private void open(int partition) {
    openLock.lock();
    try {
      if (open.containsKey(partition) || !assigned.contains(partition) || !running) {
        return;
      }
      long started = System.nanoTime();
      topicSetup.ensurePartition(partition);
      var producer = producers.create(transactionalIdPrefix + "-" + partition);
      try {
        producer.initTransactions();
        var loaded = new LinkedHashMap<TransferKey, WatchRecord>();
        var tombstones = new HashSet<TransferKey>();
        loader.read(
            watchesTopic,
            partition,
            (recordKey, value) -> {
              var key = WatchRecord.parseKey(recordKey);
              if (key == null) {
                log.error("Ignoring a watch record with the malformed key '{}'", recordKey);
                return;
              }
              if (value == null) {
                loaded.remove(key);
                tombstones.add(key);
                return;
              }
              try {
                loaded.put(key, WireFormat.mapper().readValue(value, WatchRecord.class));
                tombstones.remove(key);
              } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
                log.error("Ignoring the unreadable watch record of {}: {}", key, e.toString());
              }
            });
        index.drop(partition);
        tombstones.forEach(index::rememberEnded);
        for (var record : loaded.values()) {
          try {
            index.add(keeper.resume(record), partition);
          } catch (RuntimeException e) {
            // One odd record must not keep the whole partition (its watches, its events) closed.
            log.error(
                "Cannot resume the watch of {} from {}: {}; not watching it",
                record.key(),
                watchesTopic,
                e.toString());
          }
        }
        open.put(partition, new OpenPartition(producer));
        var took = Duration.ofNanos(System.nanoTime() - started);
        takeoverTimer.record(took);
        Counter.builder("cryptshare.poller.takeover.watches")
            .description("Watches loaded from the watch topic when taking a partition over")
            .register(registry)
            .increment(loaded.size());
        log.info(
            "Took over partition {}: {} watches loaded from {} in {} ms; each is polled within one"
                + " poll interval",
            partition,
            loaded.size(),
            watchesTopic,
            took.toMillis());
      } catch (RuntimeException e) {
        closeQuietly(producer, Duration.ZERO);
        throw e;
      }
    } finally {
      openLock.unlock();
    }
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

  private static void fail(Op op, RuntimeException failure) {
    switch (op) {
      case Changes c -> c.done().completeExceptionally(failure);
      case Finish f -> f.done().completeExceptionally(failure);
      case Close c -> c.done().complete(null);
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

  private static void closeQuietly(Producer<?, ?> producer, Duration timeout) {
    try {
      producer.close(timeout);
    } catch (RuntimeException e) {
      log.debug("Closing a producer failed", e);
    }
  }

  // --- lifecycle ---

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    recovery =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("watch-recovery").daemon().factory());
    writer = Thread.ofPlatform().name("watch-journal").daemon().start(this::writeLoop);
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    var executor = recovery;
    if (executor != null) {
      executor.shutdownNow();
    }
    var thread = writer;
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    openLock.lock();
    try {
      open.values().forEach(p -> closeQuietly(p.producer(), Duration.ofSeconds(5)));
      open.clear();
    } finally {
      openLock.unlock();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}

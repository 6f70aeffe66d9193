package io.github.cspipeline.poller.watch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Which events partitions this instance owns, and the transactional producer of each. Taking
 * partition {@code p} over first initialises the producer {@code <prefix>-<p>}, which fences the
 * previous owner and completes or aborts its open transaction, and only then reads watch partition
 * {@code p} to its end into the index. A partition that cannot be loaded (Kafka trouble, a failed
 * transaction) is loaded again in the background.
 */
final class WatchTakeover {

  private static final Logger log = LoggerFactory.getLogger(WatchTakeover.class);

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

  private final String watchesTopic;
  private final String transactionalIdPrefix;
  private final WatchIndex index;
  private final WatchJournal.Producers producers;
  private final WatchRestore restore;
  private final WatchJournal.TopicSetup topicSetup;
  private final MeterRegistry registry;
  private final Map<Integer, Producer<String, byte[]>> open = new ConcurrentHashMap<>();
  private final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
  private final ReentrantLock openLock = new ReentrantLock();
  private final Timer takeoverTimer;
  private volatile boolean running;
  private @Nullable ScheduledExecutorService recovery;

  WatchTakeover(
      String watchesTopic,
      String transactionalIdPrefix,
      WatchIndex index,
      WatchJournal.Producers producers,
      WatchRestore restore,
      WatchJournal.TopicSetup topicSetup,
      MeterRegistry registry) {
    this.watchesTopic = watchesTopic;
    this.transactionalIdPrefix = transactionalIdPrefix;
    this.index = index;
    this.producers = producers;
    this.restore = restore;
    this.topicSetup = topicSetup;
    this.registry = registry;
    this.takeoverTimer =
        Timer.builder("cryptshare.poller.takeover")
            .description(
                "Time to take a partition over: fence its previous owner, load its watches")
            .register(registry);
    Gauge.builder("cryptshare.poller.partitions", open, Map::size)
        .description("Partitions whose watches this instance holds")
        .register(registry);
    Gauge.builder("cryptshare.poller.partitions.loading", this, WatchTakeover::loading)
        .description(
            "Partitions assigned to this instance whose watches could not be loaded yet (retried"
                + " in the background)")
        .register(registry);
  }

  void start() {
    running = true;
    recovery =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("watch-recovery").daemon().factory());
  }

  /** Takes no partition over any more; {@link #closeAll} closes what is open. */
  void stop() {
    running = false;
    var executor = recovery;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  void closeAll() {
    openLock.lock();
    try {
      open.values().forEach(p -> closeQuietly(p, Duration.ofSeconds(5)));
      open.clear();
    } finally {
      openLock.unlock();
    }
  }

  /** Takes the partitions over; one that cannot be opened now is retried in the background. */
  void assigned(Collection<Integer> partitions) {
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

  /** The partition is no longer this instance's: it is not loaded again. */
  void unassigned(int partition) {
    assigned.remove(partition);
  }

  boolean isOpen(int partition) {
    return open.containsKey(partition);
  }

  /** The producer of an open partition; null when it is not open. */
  @Nullable Producer<String, byte[]> producerOf(int partition) {
    return open.get(partition);
  }

  /** Closes the partition's producer and drops its watches: its next owner loads them. */
  void handOver(int partition) {
    var closed = open.remove(partition);
    int dropped = index.drop(partition);
    if (closed != null) {
      closeQuietly(closed, Duration.ofSeconds(5));
      log.info("Handed partition {} over: {} watches left to its next owner", partition, dropped);
    }
  }

  /**
   * After a failed transaction nobody knows for sure what committed; the watch topic does. Drops
   * the partition and loads it again, which also fences the failed producer's epoch.
   */
  void reset(int partition, Producer<String, byte[]> failed, RuntimeException cause) {
    open.remove(partition, failed);
    int dropped = index.drop(partition);
    closeQuietly(failed, Duration.ZERO);
    log.warn(
        "A transaction of partition {} failed ({}); dropped its {} watches and loading them again"
            + " from {}",
        partition,
        cause.toString(),
        dropped,
        watchesTopic);
    scheduleReopen(partition, 0, REOPEN.start());
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
        int loaded = restore.load(partition);
        open.put(partition, producer);
        var took = Duration.ofNanos(System.nanoTime() - started);
        takeoverTimer.record(took);
        Counter.builder("cryptshare.poller.takeover.watches")
            .description("Watches loaded from the watch topic when taking a partition over")
            .register(registry)
            .increment(loaded);
        log.info(
            "Took over partition {}: {} watches loaded from {} in {} ms; each is polled within one"
                + " poll interval",
            partition,
            loaded,
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

  private static void closeQuietly(Producer<?, ?> producer, Duration timeout) {
    try {
      producer.close(timeout);
    } catch (RuntimeException e) {
      log.debug("Closing a producer failed", e);
    }
  }
}

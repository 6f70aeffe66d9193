package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.worker.state.ProgressRestorer;
import io.github.cspipeline.worker.state.StateMetrics;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Which command partitions this instance owns, and what the state topic says about them (ADR 024):
 * a partition is taken over by reading its transfers back into the book and resuming the pending
 * ones, and given up by fencing its queued decisions and dropping its entries. Reads that fail are
 * retried in the background until they succeed or the partition goes, so that no transfer waits for
 * its partition's next command or the next rebalance: a failed takeover at assignment, and the
 * transfers of an intake commit whose outcome is unknown.
 */
final class PartitionOwnership {

  private static final Logger log = LoggerFactory.getLogger(PartitionOwnership.class);
  // Reading the state topic back is retried this often until it succeeds or the partition goes:
  // a partition whose transfers cannot be read must not wait for its next command or rebalance.
  private static final ExponentialBackOff RESTORE_RETRY = new ExponentialBackOff(1_000, 2);

  static {
    RESTORE_RETRY.setMaxInterval(15_000);
  }

  private final TransferBook book;
  private final ProgressRestorer restorer;
  private final TransferEventPublisher publisher;
  private final TransferJobs jobs;
  private final StateMetrics stateMetrics;
  private final Clock clock;
  private final BooleanSupplier running;
  private final Runnable changed;
  // Assigned command partitions whose state could not be read yet; a background task retries.
  private final Set<Integer> unrestored = ConcurrentHashMap.newKeySet();
  // Transfers whose intake commit had an unknown outcome, by command partition, until their
  // partition's state could be read back.
  private final Map<Integer, List<TransferProgress>> unsure = new ConcurrentHashMap<>();
  private final Object restoreLock = new Object();
  private final ScheduledExecutorService restores =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("transfer-worker-restores").daemon().factory());

  /**
   * @param running whether background reads should go on
   * @param changed called whenever the transfers in work may have changed
   */
  PartitionOwnership(
      TransferBook book,
      ProgressRestorer restorer,
      TransferEventPublisher publisher,
      TransferJobs jobs,
      StateMetrics stateMetrics,
      Clock clock,
      BooleanSupplier running,
      Runnable changed) {
    this.book = book;
    this.restorer = restorer;
    this.publisher = publisher;
    this.jobs = jobs;
    this.stateMetrics = stateMetrics;
    this.clock = clock;
    this.running = running;
    this.changed = changed;
  }

  /** Takes newly assigned partitions over, or keeps trying in the background. */
  void assigned(Set<Integer> assigned) {
    try {
      takeOver(assigned);
    } catch (RuntimeException e) {
      log.error(
          "Could not read the state of command partitions {}; trying again in the background (and"
              + " with their next command)",
          assigned,
          e);
      unrestored.addAll(assigned);
      var retry = RESTORE_RETRY.start();
      restores.schedule(() -> restoreUntilRead(retry), retry.nextBackOff(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Takes a partition over now unless it is owned (the consumer thread, before a command of it is
   * taken in).
   *
   * @throws RuntimeException its state could not be read
   */
  void ensureOwned(int partition) {
    if (!book.owns(partition)) {
      takeOver(Set.of(partition));
    }
  }

  // Resumes the pending transfers of assigned partitions whose restore failed, without waiting
  // for their next command: otherwise they would wait for it, or for the next rebalance.
  private void restoreUntilRead(BackOffExecution retry) {
    var wanted = new TreeSet<>(unrestored);
    wanted.removeIf(book::owns);
    unrestored.removeIf(book::owns);
    if (wanted.isEmpty() || !running.getAsBoolean()) {
      return;
    }
    try {
      takeOver(wanted);
      unrestored.removeAll(wanted);
    } catch (RuntimeException e) {
      long next = retry.nextBackOff();
      log.warn(
          "Still cannot read the state of command partitions {} ({}); trying again in {} ms",
          wanted,
          e.getMessage(),
          next);
      restores.schedule(() -> restoreUntilRead(retry), next, TimeUnit.MILLISECONDS);
    }
  }

  // One restore at a time: the consumer thread (assignment, a command of an unrestored partition)
  // and the background retry may both want a partition; the second finds it owned.
  private void takeOver(Set<Integer> assigned) {
    synchronized (restoreLock) {
      var wanted = new TreeSet<>(assigned);
      wanted.removeIf(book::owns);
      if (wanted.isEmpty()) {
        return;
      }
      var restored = read(wanted, "restore");
      publisher.unfence(wanted);
      int resumed = 0;
      for (var entry : restored.entrySet()) {
        book.assign(entry.getKey(), entry.getValue());
        for (var progress : book.pendingOf(entry.getKey())) {
          jobs.launch(progress, true);
          resumed++;
        }
      }
      book.prune(clock.instant());
      log.info("Took over command partitions {}; resuming {} pending transfers", wanted, resumed);
    }
    changed.run();
  }

  /**
   * A transfer's latest progress on the state topic, for a command whose transfer the book may have
   * forgotten (consumer thread).
   *
   * @throws RuntimeException the state could not be read
   */
  @Nullable TransferProgress lookUp(int partition, String key) {
    return read(Set.of(partition), "lookup").getOrDefault(partition, List.of()).stream()
        .filter(p -> p.key().equals(key))
        .findFirst()
        .orElse(null);
  }

  /**
   * Reads the state of these intake transfers back in the background, retried until it can be read,
   * and starts those whose intake was committed.
   */
  void recheck(List<TransferProgress> accepted) {
    accepted.forEach(
        p ->
            unsure.computeIfAbsent(p.commandPartition(), k -> new CopyOnWriteArrayList<>()).add(p));
    var partitions = new TreeSet<Integer>();
    accepted.forEach(p -> partitions.add(p.commandPartition()));
    log.warn(
        "The intake of {} commands of partitions {} may or may not have been committed; reading"
            + " their state back",
        accepted.size(),
        partitions);
    var retry = RESTORE_RETRY.start();
    restores.submit(() -> recheckUntilRead(partitions, retry));
  }

  private void recheckUntilRead(Set<Integer> partitions, BackOffExecution retry) {
    var left = new TreeSet<Integer>();
    for (int partition : partitions) {
      var transfers = unsure.get(partition);
      if (transfers == null || transfers.isEmpty()) {
        continue;
      }
      if (!book.owns(partition)) {
        // Revoked meanwhile: the partition's next owner reads the state anyway.
        unsure.remove(partition);
        continue;
      }
      try {
        Map<String, TransferProgress> restored = new HashMap<>();
        read(Set.of(partition), "recheck")
            .getOrDefault(partition, List.of())
            .forEach(p -> restored.put(p.key(), p));
        var committed = new ArrayList<TransferProgress>();
        for (var transfer : transfers) {
          var found = restored.get(transfer.key());
          // Taken in (PENDING), or refused at intake (DECIDED at once), by this very command.
          if (found != null
              && Objects.equals(found.commandId(), transfer.commandId())
              && (!found.isPending() || found.acceptedAt().equals(transfer.acceptedAt()))) {
            committed.add(found);
          }
        }
        unsure.remove(partition);
        int started = 0;
        for (var progress : book.merge(partition, committed)) {
          jobs.launch(progress, false);
          started++;
        }
        log.info(
            "Read partition {} back after an uncertain intake: {} of {} transfers were taken in"
                + " and are started; the others come again with their commands",
            partition,
            started,
            transfers.size());
      } catch (RuntimeException e) {
        log.warn(
            "Could not read the state of command partition {} back after an uncertain intake ({});"
                + " trying again with backoff (1 s doubling to 15 s)",
            partition,
            e.getMessage());
        left.add(partition);
      }
    }
    changed.run();
    if (!left.isEmpty() && running.getAsBoolean()) {
      restores.schedule(
          () -> recheckUntilRead(left, retry), retry.nextBackOff(), TimeUnit.MILLISECONDS);
    }
  }

  // Every read of the state topic is counted by kind: restore, recheck or lookup.
  private Map<Integer, List<TransferProgress>> read(Set<Integer> partitions, String kind) {
    try {
      var restored = restorer.restore(partitions);
      stateMetrics.read(kind, "ok");
      return restored;
    } catch (RuntimeException e) {
      stateMetrics.read(kind, "failed");
      throw e;
    }
  }

  /**
   * Gives these partitions up once their work has stopped. Decisions of them still queued (e.g.
   * while Kafka is away) must not be published once their next owner may decide the same transfers:
   * their jobs stay pending for it.
   */
  void release(Set<Integer> partitions) {
    publisher.fence(partitions);
    partitions.forEach(book::revoke);
    unrestored.removeAll(partitions);
    partitions.forEach(unsure::remove);
  }

  /** No more background reads. */
  void shutdown() {
    restores.shutdownNow();
  }
}

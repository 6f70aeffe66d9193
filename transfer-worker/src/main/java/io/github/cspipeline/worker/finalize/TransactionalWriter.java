package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.kafka.GroupCommit;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Writes groups of records atomically, each group in a Kafka transaction, from one thread: the
 * decisions of many transfers share a transaction (group commit), so a burst of decisions needs a
 * few commits, not one producer per transfer. A failed transaction is retried with backoff until it
 * succeeds or the worker stops; nothing is lost silently.
 *
 * <p>A failed transaction may have been committed all the same (a commit that timed out is
 * completed by the broker). Before writing a group again, the writer asks its {@link Verifier}
 * which groups are committed already, so that a decision is never published twice.
 */
public final class TransactionalWriter implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TransactionalWriter.class);
  private static final int MAX_GROUPS_PER_TRANSACTION = 200;
  private static final ExponentialBackOff RETRY = new ExponentialBackOff(200, 2);

  static {
    RETRY.setMaxInterval(10_000);
  }

  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  /** Tells which groups of a failed transaction are committed after all. */
  @FunctionalInterface
  public interface Verifier {
    /**
     * @param tags the tags of the groups in question
     * @return those whose records are committed
     * @throws RuntimeException it cannot be told yet (e.g. Kafka is unreachable); asked again later
     */
    Set<Object> committed(List<Object> tags);
  }

  private record Write(
      List<ProducerRecord<String, Object>> records,
      @Nullable Object tag,
      int owner,
      CompletableFuture<Void> done)
      implements GroupCommit.Pending {}

  /** Owner of writes that belong to no partition: never fenced. */
  public static final int NO_OWNER = -1;

  private final KafkaOperations<String, Object> kafka;
  private final Verifier verifier;
  // Command partitions given up: their writes must not start any more (their next owner may
  // already be deciding the same transfers), and no attempt may be in flight when fence() returns.
  private final Set<Integer> fenced = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.locks.ReentrantLock attempt =
      new java.util.concurrent.locks.ReentrantLock();
  private final GroupCommit<Write> rounds =
      new GroupCommit<>(
          new GroupCommit.Settings(
              "transfer-worker-writer", MAX_GROUPS_PER_TRANSACTION, Duration.ZERO, RETRY),
          new Rounds());

  /**
   * @param verifier asked, after a failed transaction, which tagged groups are committed anyway
   */
  public TransactionalWriter(KafkaOperations<String, Object> kafka, Verifier verifier) {
    this.kafka = kafka;
    this.verifier = verifier;
  }

  /**
   * @param tag identifies the group for the {@link Verifier}; null: the group is written again
   *     after any failure
   * @return completes when the records are committed, exceptionally when the worker stopped before
   *     they could be
   */
  public CompletableFuture<Void> write(
      List<ProducerRecord<String, Object>> records, @Nullable Object tag) {
    return write(records, tag, NO_OWNER);
  }

  /**
   * @param owner the command partition the group belongs to: once it is {@link #fence fenced}, the
   *     group is no longer written and its future fails
   */
  public CompletableFuture<Void> write(
      List<ProducerRecord<String, Object>> records, @Nullable Object tag, int owner) {
    var write = new Write(List.copyOf(records), tag, owner, new CompletableFuture<>());
    rounds.submit(write);
    return write.done();
  }

  /**
   * No write of these partitions starts any more; returns once none is in flight. Called when the
   * partitions are given up, before their next owner reads their state: a decision still queued
   * (e.g. while Kafka was away) would otherwise be published beside the next owner's.
   */
  public void fence(Set<Integer> partitions) {
    fenced.addAll(partitions);
    attempt.lock();
    attempt.unlock();
  }

  /** The partitions are owned (again): their writes go through. */
  public void unfence(Set<Integer> partitions) {
    fenced.removeAll(partitions);
  }

  /** The writer thread's rounds: each one transaction, retried until it commits or time is up. */
  private final class Rounds implements GroupCommit.Writer<Write> {

    @Override
    public void write(List<Write> batch, boolean again) {
      // Whatever failed before, the transaction may have been committed (a timed-out commit is
      // completed by the broker): look before writing again.
      if (again) {
        dropCommitted(batch);
        if (batch.isEmpty()) {
          return;
        }
      }
      attempt.lock();
      try {
        dropFenced(batch);
        if (batch.isEmpty()) {
          return;
        }
        kafka.executeInTransaction(
            ops -> {
              batch.forEach(w -> w.records().forEach(ops::send));
              return null;
            });
      } finally {
        attempt.unlock();
      }
      batch.forEach(w -> w.done().complete(null));
    }

    @Override
    public void failed(List<Write> batch, RuntimeException e, long retryInMillis) {
      if (retryInMillis < 0) {
        log.error(
            "Could not write {} decisions before stopping; their transfers stay pending and are"
                + " resumed by the next owner",
            batch.size(),
            e);
        return;
      }
      log.warn(
          "Kafka transaction of {} decisions failed or could not be checked ({}); checking what"
              + " was committed and trying again in {} ms",
          batch.size(),
          e.getMessage(),
          retryInMillis);
    }

    @Override
    public void abandon(Write write) {
      write.done().completeExceptionally(stopped());
    }
  }

  private void dropFenced(List<Write> batch) {
    batch.removeIf(
        w -> {
          if (w.owner() != NO_OWNER && fenced.contains(w.owner())) {
            w.done()
                .completeExceptionally(
                    new IllegalStateException(
                        "command partition "
                            + w.owner()
                            + " was given up before this was written"));
            return true;
          }
          return false;
        });
  }

  private void dropCommitted(List<Write> batch) {
    var tags = batch.stream().map(Write::tag).filter(Objects::nonNull).toList();
    if (tags.isEmpty()) {
      return;
    }
    var committed = verifier.committed(tags);
    int before = batch.size();
    batch.removeIf(
        w -> {
          if (w.tag() != null && committed.contains(w.tag())) {
            w.done().complete(null);
            return true;
          }
          return false;
        });
    if (batch.size() < before) {
      log.info(
          "{} of {} decisions of a failed transaction were committed after all; writing the other"
              + " {} again",
          before - batch.size(),
          before,
          batch.size());
    }
  }

  private static IllegalStateException stopped() {
    return new IllegalStateException("the worker stopped before the records were written");
  }

  @Override
  public void start() {
    rounds.start();
  }

  @Override
  public void stop() {
    rounds.stop(STOP_GRACE, STOP_GRACE.plusSeconds(5));
  }

  @Override
  public boolean isRunning() {
    return rounds.isRunning();
  }

  // Stops after the listener containers and the transfer work (lower phases stop later):
  // decisions made while they give up their partitions must still be written.
  @Override
  public int getPhase() {
    return AbstractMessageListenerContainer.DEFAULT_PHASE - 2;
  }
}

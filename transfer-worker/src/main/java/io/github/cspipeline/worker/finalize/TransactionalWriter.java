package io.github.cspipeline.worker.finalize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * Writes groups of records atomically, each group in a Kafka transaction, from one thread: the
 * decisions of many transfers share a transaction (group commit), so a burst of decisions needs a
 * few commits, not one producer per transfer. A failed transaction is retried with backoff until it
 * succeeds or the worker stops; nothing is lost silently.
 */
public final class TransactionalWriter implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TransactionalWriter.class);
  private static final int MAX_GROUPS_PER_TRANSACTION = 200;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private record Write(
      List<ProducerRecord<String, Object>> records, CompletableFuture<Void> committed) {}

  private final KafkaOperations<String, Object> kafka;
  private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
  private volatile boolean running;
  private volatile long stopDeadline = Long.MAX_VALUE;
  private Thread thread;

  public TransactionalWriter(KafkaOperations<String, Object> kafka) {
    this.kafka = kafka;
  }

  /**
   * @return completes when the records are committed, exceptionally when the worker stopped before
   *     they could be
   */
  public CompletableFuture<Void> write(List<ProducerRecord<String, Object>> records) {
    var write = new Write(List.copyOf(records), new CompletableFuture<>());
    queue.add(write);
    return write.committed();
  }

  private void loop() {
    var batch = new ArrayList<Write>();
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_GROUPS_PER_TRANSACTION - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        // Unreachable in practice (commit() handles its failures); the loop must not die anyway.
        log.error("Unexpected failure of the transactional writer; carrying on", e);
      } finally {
        batch.forEach(w -> w.committed().completeExceptionally(stopped()));
        batch.clear();
      }
    }
    var left = new ArrayList<Write>();
    queue.drainTo(left);
    left.forEach(w -> w.committed().completeExceptionally(stopped()));
  }

  private void commit(List<Write> batch) throws InterruptedException {
    var backoff = FIRST_BACKOFF;
    while (true) {
      try {
        kafka.executeInTransaction(
            ops -> {
              batch.forEach(w -> w.records().forEach(ops::send));
              return null;
            });
        batch.forEach(w -> w.committed().complete(null));
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > stopDeadline) {
          log.error(
              "Could not write {} decisions before stopping; their transfers stay pending and are"
                  + " resumed by the next owner",
              batch.size(),
              e);
          return;
        }
        log.warn(
            "Kafka transaction of {} decisions failed ({}); trying again in {}",
            batch.size(),
            e.getMessage(),
            backoff);
        Thread.sleep(backoff);
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private static IllegalStateException stopped() {
    return new IllegalStateException("the worker stopped before the records were written");
  }

  @Override
  public void start() {
    running = true;
    stopDeadline = Long.MAX_VALUE;
    thread = Thread.ofPlatform().name("transfer-worker-writer").daemon().start(this::loop);
  }

  @Override
  public void stop() {
    stopDeadline = System.nanoTime() + STOP_GRACE.toNanos();
    running = false;
    try {
      thread.join(STOP_GRACE.plusSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  // Stops after the listener containers and the transfer work (lower phases stop later):
  // decisions made while they give up their partitions must still be written.
  @Override
  public int getPhase() {
    return AbstractMessageListenerContainer.DEFAULT_PHASE - 2;
  }
}

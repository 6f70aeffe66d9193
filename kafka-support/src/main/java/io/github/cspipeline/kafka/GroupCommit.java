package io.github.cspipeline.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Group commit: many threads queue writes, one thread writes them a round at a time, so that the
 * writes of a round share a Kafka transaction. A transaction costs the broker and the producer
 * about the same whether it carries one write or hundreds.
 *
 * <p>A round takes what is queued (up to {@code maxPerRound}) and then waits up to {@code linger}
 * after its first write for more. The {@link Writer} turns the round into transactions and
 * completes the callers' futures. When an attempt fails, the round is either tried again after the
 * {@code retry} backoff (the writer is told it may have been committed all the same) or, without a
 * retry backoff, handed to {@link Writer#failed}. No caller is left hanging: whatever is not
 * completed when its round ends or the writer stops is {@link Writer#abandon abandoned}.
 *
 * @param <W> a caller's write
 */
public final class GroupCommit<W extends GroupCommit.Pending> {

  /** A caller's write; its future completes once it is written, or fails. */
  public interface Pending {
    CompletableFuture<?> done();
  }

  /** Writes rounds; runs on the group commit's thread only. */
  public interface Writer<W> {

    /**
     * One attempt at writing a round: completes the futures of the writes it is done with, and may
     * remove those from the round so that a retry leaves them out.
     *
     * @param again after a failed attempt of this round, which may have committed all the same
     * @throws RuntimeException the attempt failed
     */
    void write(List<W> round, boolean again);

    /**
     * An attempt failed.
     *
     * @param retryInMillis when the round is tried again; negative when it is not (no retry
     *     backoff, or the writer is stopping and its time to retry is up): the writes it did not
     *     complete are then abandoned
     */
    void failed(List<W> round, RuntimeException cause, long retryInMillis);

    /** Fails (completes) a write that is not going to be written. */
    void abandon(W write);
  }

  /**
   * @param threadName the writer thread's name
   * @param maxPerRound at most this many writes share a round
   * @param linger how long a round waits after its first write for more; zero: it takes what is
   *     queued
   * @param retry backoff between attempts at a failed round; null: a failed round is not retried
   */
  public record Settings(
      String threadName, int maxPerRound, Duration linger, @Nullable BackOff retry) {}

  private final Settings settings;
  private final Writer<W> writer;
  private final BlockingQueue<W> queue = new LinkedBlockingQueue<>();
  private volatile boolean running;
  private volatile long stopDeadline = Long.MAX_VALUE;
  private @Nullable Thread thread;

  public GroupCommit(Settings settings, Writer<W> writer) {
    this.settings = settings;
    this.writer = writer;
  }

  /** Queues a write for the next round. */
  public void submit(W write) {
    queue.add(write);
  }

  public boolean isRunning() {
    return running;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    stopDeadline = Long.MAX_VALUE;
    thread = Thread.ofPlatform().name(settings.threadName()).daemon().start(this::loop);
  }

  /**
   * Writes what is queued still, then stops the thread.
   *
   * @param retryFor how long a failing round is still retried
   * @param join how long to wait for the thread to end
   */
  public synchronized void stop(Duration retryFor, Duration join) {
    stopDeadline = System.nanoTime() + retryFor.toNanos();
    running = false;
    var writing = thread;
    if (writing == null) {
      return;
    }
    try {
      writing.join(join);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    var round = new ArrayList<W>();
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        round.add(first);
        queue.drainTo(round, settings.maxPerRound() - 1);
        linger(round);
        write(round);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        abandonUnfinished(round);
        round.clear();
      }
    }
    var left = new ArrayList<W>();
    queue.drainTo(left);
    abandonUnfinished(left);
  }

  private void linger(List<W> round) throws InterruptedException {
    long until = System.nanoTime() + settings.linger().toNanos();
    while (round.size() < settings.maxPerRound() && running) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      var next = queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      round.add(next);
      queue.drainTo(round, settings.maxPerRound() - round.size());
    }
  }

  private void write(List<W> round) throws InterruptedException {
    var retry = settings.retry();
    @Nullable BackOffExecution backoff = retry == null ? null : retry.start();
    boolean again = false;
    while (!round.isEmpty()) {
      try {
        writer.write(round, again);
        return;
      } catch (RuntimeException e) {
        long delay =
            backoff == null || System.nanoTime() > stopDeadline
                ? BackOffExecution.STOP
                : backoff.nextBackOff();
        writer.failed(round, e, delay);
        if (delay < 0) {
          return;
        }
        again = true;
        Thread.sleep(delay);
      }
    }
  }

  private void abandonUnfinished(List<W> writes) {
    for (var write : writes) {
      if (!write.done().isDone()) {
        writer.abandon(write);
      }
    }
  }
}

package io.github.cspipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The group commit with Kafka's MockProducer: one transaction per round, as the services use it.
 */
class GroupCommitTest {

  record Write(ProducerRecord<String, String> record, CompletableFuture<Void> done)
      implements GroupCommit.Pending {}

  /** The attempts the writer was told about: how long until the round is tried again. */
  final List<Long> retries = new CopyOnWriteArrayList<>();

  final MockProducer<String, String> producer =
      new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());

  @Nullable GroupCommit<Write> commits;

  /** Like the services: the round in one transaction, aborted when anything in it fails. */
  final class OneTransaction implements GroupCommit.Writer<Write> {
    final List<Boolean> attempts = new CopyOnWriteArrayList<>();
    // Like the poller (true) or the worker (false), which leaves its writes to be abandoned.
    volatile boolean failsWhenGivingUp = true;

    @Override
    public void write(List<Write> round, boolean again) {
      attempts.add(again);
      producer.beginTransaction();
      try {
        round.forEach(w -> producer.send(w.record()));
        producer.commitTransaction();
      } catch (RuntimeException e) {
        if (producer.transactionInFlight()) {
          producer.abortTransaction();
        }
        throw e;
      }
      round.forEach(w -> w.done().complete(null));
    }

    @Override
    public void failed(List<Write> round, RuntimeException cause, long retryInMillis) {
      retries.add(retryInMillis);
      if (retryInMillis < 0 && failsWhenGivingUp) {
        round.forEach(w -> w.done().completeExceptionally(cause));
      }
    }

    @Override
    public void abandon(Write write) {
      write.done().completeExceptionally(new IllegalStateException("stopped"));
    }
  }

  final OneTransaction writer = new OneTransaction();

  GroupCommit<Write> start(Duration linger, @Nullable BackOff retry) {
    producer.initTransactions();
    commits =
        new GroupCommit<>(new GroupCommit.Settings("test-writer", 100, linger, retry), writer);
    commits.start();
    return commits;
  }

  static Write write(String key) {
    return new Write(new ProducerRecord<>("events", key, "v"), new CompletableFuture<>());
  }

  @AfterEach
  void stop() {
    if (commits != null) {
      commits.stop(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  @Test
  void the_writes_of_several_callers_within_the_linger_share_one_transaction() throws Exception {
    var commits = start(Duration.ofMillis(500), null);
    var writes = List.of(write("a"), write("b"), write("c"));
    var callers = writes.stream().map(w -> Thread.ofVirtual().start(() -> commits.submit(w)));

    callers.toList().forEach(GroupCommitTest::join);
    for (var w : writes) {
      w.done().get(10, TimeUnit.SECONDS);
    }

    assertThat(producer.commitCount()).isEqualTo(1);
    assertThat(producer.history())
        .extracting(ProducerRecord::key)
        .containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void without_retry_a_failed_commit_fails_every_caller_of_its_round() {
    producer.commitTransactionException = new TimeoutException("awaiting EndTxn");
    var commits = start(Duration.ofMillis(300), null);
    var first = write("a");
    var second = write("b");
    commits.submit(first);
    commits.submit(second);

    for (var w : List.of(first, second)) {
      assertThatThrownBy(() -> w.done().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
    }
    assertThat(retries).containsExactly(-1L);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void with_retry_a_failed_commit_is_tried_again_as_one_that_may_have_committed() throws Exception {
    producer.commitTransactionException = new TimeoutException("awaiting EndTxn");
    var commits = start(Duration.ZERO, new ExponentialBackOff(50, 2));
    var only = write("a");
    commits.submit(only);
    // The broker is back after two failed commits.
    await().until(() -> retries.size() >= 2);
    producer.commitTransactionException = null;

    only.done().get(10, TimeUnit.SECONDS);

    assertThat(retries).startsWith(50L, 100L);
    assertThat(writer.attempts).first().isEqualTo(false);
    assertThat(writer.attempts.subList(1, writer.attempts.size())).containsOnly(true);
    assertThat(producer.commitCount()).isEqualTo(1);
    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("a");
  }

  @Test
  void a_fenced_producer_is_reported_to_the_callers_and_nothing_is_written() {
    var commits = start(Duration.ZERO, null);
    producer.fenceProducer();
    var write = write("a");
    commits.submit(write);

    assertThatThrownBy(() -> write.done().get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProducerFencedException.class);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void a_round_still_failing_when_its_time_to_retry_is_up_is_abandoned_at_stop() {
    producer.commitTransactionException = new TimeoutException("awaiting EndTxn");
    writer.failsWhenGivingUp = false;
    var commits = start(Duration.ZERO, new ExponentialBackOff(20, 1));
    var write = write("a");
    commits.submit(write);
    await().until(() -> !retries.isEmpty());

    commits.stop(Duration.ZERO, Duration.ofSeconds(5));

    assertThatThrownBy(() -> write.done().get(1, TimeUnit.SECONDS)).hasRootCauseMessage("stopped");
    assertThat(retries).endsWith(-1L);
    assertThat(commits.isRunning()).isFalse();
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}

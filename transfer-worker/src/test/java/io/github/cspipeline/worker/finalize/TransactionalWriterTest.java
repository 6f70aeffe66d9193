package io.github.cspipeline.worker.finalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.invocation.InvocationOnMock;
import org.springframework.kafka.core.KafkaOperations;

/**
 * Item 2g of issue 9: a decision transaction whose commit timed out may have been committed by the
 * broker all the same; writing it again would publish the same terminal event twice.
 */
class TransactionalWriterTest {

  @SuppressWarnings("unchecked")
  final KafkaOperations<String, Object> kafka = mock(KafkaOperations.class);

  // What the broker committed: the records of every transaction whose commit went through.
  final List<ProducerRecord<String, Object>> log = new ArrayList<>();
  final Set<Object> committedTags = new HashSet<>();
  TransactionalWriter writer;

  @AfterEach
  void stop() {
    if (writer != null) {
      writer.stop();
    }
  }

  /** Runs the transaction of an {@code executeInTransaction} call, sending its records to sent. */
  static void runTransaction(InvocationOnMock call, List<ProducerRecord<String, Object>> sent) {
    @SuppressWarnings("unchecked")
    KafkaOperations.OperationsCallback<String, Object, Object> callback = call.getArgument(0);
    var ops = mock(KafkaOperations.class);
    when(ops.send(any(ProducerRecord.class)))
        .thenAnswer(
            send -> {
              sent.add(send.getArgument(0));
              return null;
            });
    callback.doInOperations(ops);
  }

  /** Every transaction commits; the first commit reports a timeout all the same. */
  void commitsButFirstCommitTimesOut(List<Object> tagsOfFirst) {
    int[] transactions = {0};
    when(kafka.executeInTransaction(any()))
        .thenAnswer(
            call -> {
              var sent = new ArrayList<ProducerRecord<String, Object>>();
              runTransaction(call, sent);
              log.addAll(sent);
              if (transactions[0]++ == 0) {
                committedTags.addAll(tagsOfFirst);
                throw new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn");
              }
              return null;
            });
  }

  @Test
  void a_decision_whose_commit_timed_out_but_went_through_is_not_written_again() throws Exception {
    commitsButFirstCommitTimesOut(List.of("T1"));
    writer = new TransactionalWriter(kafka, tags -> Set.copyOf(committedTags));
    writer.start();

    writer
        .write(List.of(new ProducerRecord<>("events", "T1", "ACTIVE")), "T1")
        .get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(log).extracting(ProducerRecord::key).containsExactly("T1");
  }

  @Test
  void of_a_group_commit_only_the_decisions_not_committed_are_written_again() throws Exception {
    // The timed-out transaction held T1 and T2; the verifier finds only T1 (say T2's records were
    // not part of what the broker committed). T2 is written again, T1 not.
    commitsButFirstCommitTimesOut(List.of("T1"));
    writer = new TransactionalWriter(kafka, tags -> Set.copyOf(committedTags));
    var first = writer.write(List.of(new ProducerRecord<>("events", "T1", "ACTIVE")), "T1");
    var second = writer.write(List.of(new ProducerRecord<>("events", "T2", "ACTIVE")), "T2");
    writer.start();

    first.get(30, java.util.concurrent.TimeUnit.SECONDS);
    second.get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(log).extracting(ProducerRecord::key).containsExactly("T1", "T2", "T2");
  }

  @Test
  void while_the_outcome_cannot_be_told_nothing_is_written_again() throws Exception {
    commitsButFirstCommitTimesOut(List.of("T1"));
    int[] checks = {0};
    writer =
        new TransactionalWriter(
            kafka,
            tags -> {
              if (checks[0]++ < 2) {
                throw new IllegalStateException("state topic unreachable");
              }
              return Set.copyOf(committedTags);
            });
    writer.start();

    writer
        .write(List.of(new ProducerRecord<>("events", "T1", "ACTIVE")), "T1")
        .get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(checks[0]).isEqualTo(3);
    assertThat(log).extracting(ProducerRecord::key).containsExactly("T1");
  }

  // Found by the chaos suite: a decision queued while the broker was away was published after its
  // partition had gone to another instance, which had decided the same transfer meanwhile.
  @Test
  void a_fenced_partition_gets_none_of_its_queued_decisions_written_and_others_still_do()
      throws Exception {
    var kafkaAway = new java.util.concurrent.atomic.AtomicBoolean(true);
    when(kafka.executeInTransaction(any()))
        .thenAnswer(
            call -> {
              if (kafkaAway.get()) {
                throw new TimeoutException(
                    "Timeout expired while initializing transactional state");
              }
              runTransaction(call, log);
              return null;
            });
    writer = new TransactionalWriter(kafka, tags -> Set.of());
    writer.start();
    var givenUp = writer.write(List.of(new ProducerRecord<>("events", "T1", "ACTIVE")), "T1", 1);
    var kept = writer.write(List.of(new ProducerRecord<>("events", "T2", "ACTIVE")), "T2", 2);

    writer.fence(Set.of(1));
    kafkaAway.set(false);

    kept.get(30, java.util.concurrent.TimeUnit.SECONDS);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> givenUp.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .hasMessageContaining("given up");
    assertThat(log).extracting(ProducerRecord::key).containsExactly("T2");

    writer.unfence(Set.of(1));
    writer
        .write(List.of(new ProducerRecord<>("events", "T3", "ACTIVE")), "T3", 1)
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(log).extracting(ProducerRecord::key).containsExactly("T2", "T3");
  }
}

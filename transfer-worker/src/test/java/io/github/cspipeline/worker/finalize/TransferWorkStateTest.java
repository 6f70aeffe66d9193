package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anySet;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.after;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.testkit.MutableClock;
import io.github.cspipeline.worker.state.ProgressRestorer;
import io.github.cspipeline.worker.state.StateMetrics;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.StateUnavailableException;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transfer work's bookkeeping around the state topic, with the topic and Cryptshare replaced by
 * mocks: what is resumed, started, looked up and announced again.
 */
class TransferWorkStateTest {

  static final String COMMANDS = "cryptshare.finalize.commands";

  final MutableClock clock = new MutableClock(NOW);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ProgressRestorer restorer = mock(ProgressRestorer.class);
  final Finalizer finalizer = mock(Finalizer.class);
  final TransferEventPublisher publisher = mock(TransferEventPublisher.class);
  TransferBook book = new TransferBook();
  TransferWork work;

  {
    when(restorer.statePartitionOf(org.mockito.ArgumentMatchers.anyInt())).thenReturn(0);
    when(publisher.publish(any(), any(), any()))
        .thenReturn(CompletableFuture.completedFuture(null));
    when(publisher.reannouncement(any()))
        .thenAnswer(
            call -> {
              TransferProgress decided = call.getArgument(0);
              var event = decided.event();
              return CloudEvents.<Object>record(
                  "events",
                  event.trackingId(),
                  event,
                  event.eventId(),
                  TransferEvent.CLOUD_EVENT_TYPE,
                  "test",
                  event.occurredAt());
            });
    work = work();
  }

  TransferWork work() {
    var work =
        new TransferWork(
            book,
            restorer,
            new StateRecords("state", restorer),
            finalizer,
            publisher,
            TransferTracing.NOOP,
            new FinalizeMetrics(registry, "default"::equals),
            clock,
            server -> Duration.ofMinutes(10),
            COMMANDS,
            Duration.ofSeconds(1),
            new StateMetrics(registry),
            publisher::reannouncement,
            Duration.ofDays(1));
    work.start();
    return work;
  }

  @AfterEach
  void stop() {
    work.stop();
  }

  static TransferProgress pending(String trackingId) {
    return TransferProgress.pending(command(trackingId), 0, NOW, NOW.plusSeconds(600), null);
  }

  static TransferEvent processing(String trackingId) {
    return TransferEvent.processing(
        "default",
        "alice@example.com",
        trackingId,
        NOW,
        URI.create("https://cs.example.com/api/users/alice@example.com/transfers/" + trackingId));
  }

  void assign(List<TransferProgress> restored) {
    when(restorer.restore(Set.of(0))).thenReturn(Map.of(0, restored));
    work.onPartitionsAssigned(mock(Consumer.class), List.of(new TopicPartition(COMMANDS, 0)));
  }

  /** A transfer taken in: in the book, pending. */
  TransferProgress admitted() {
    var progress = pending(trackingId());
    book.admit(progress);
    return progress;
  }

  /** A transfer taken in and decided {@code PROCESSING}. */
  TransferProgress decidedInBook() {
    var progress = admitted();
    book.decided(progress, TransferState.PROCESSING, NOW);
    return progress;
  }

  /** The transfer's work starts within the timeout. */
  void verifyDecided(TransferProgress transfer, int timeoutMillis) {
    verify(finalizer, timeout(timeoutMillis))
        .decide(progressOf(transfer.trackingId()), anyBoolean(), any());
  }

  static TransferProgress progressOf(String trackingId) {
    return argThat(p -> p != null && p.trackingId().equals(trackingId));
  }

  // Item 2d of issue 9: recheck() used to replace the whole partition with the read's snapshot.
  @Test
  void an_uncertain_intake_commit_starts_the_committed_transfer_and_relaunches_nothing_decided()
      throws Exception {
    assign(List.of());
    var decidedMeanwhile = decidedInBook();
    var uncertain = admitted();
    // The read-back shows the uncertain intake committed, and the other transfer still pending:
    // its decision was committed after the read began.
    when(restorer.restore(Set.of(0))).thenReturn(Map.of(0, List.of(decidedMeanwhile, uncertain)));

    work.recheck(List.of(uncertain));

    verifyDecided(uncertain, 5_000);
    verify(finalizer, after(300).never())
        .decide(progressOf(decidedMeanwhile.trackingId()), anyBoolean(), any());
    assertThat(book.get(0, decidedMeanwhile.key())).isInstanceOf(TransferBook.Entry.Decided.class);
  }

  @Test
  void an_uncertain_intake_that_was_not_committed_is_forgotten_and_taken_in_when_it_comes_again()
      throws Exception {
    assign(List.of());
    var uncertain = admitted();
    when(restorer.restore(Set.of(0))).thenReturn(Map.of(0, List.of()));

    work.recheck(List.of(uncertain));

    verify(restorer, timeout(5_000).times(2)).restore(Set.of(0));
    verify(finalizer, after(300).never()).decide(any(), anyBoolean(), any());
    assertThat(work.admit(uncertain.command(), 0, null))
        .isInstanceOf(TransferWork.Admission.Accepted.class);
  }

  @Test
  void an_uncertain_intake_is_read_back_as_soon_as_the_state_topic_answers_again()
      throws Exception {
    assign(List.of());
    var uncertain = admitted();
    when(restorer.restore(Set.of(0)))
        .thenThrow(new StateUnavailableException("broker away"))
        .thenReturn(Map.of(0, List.of(uncertain)));

    work.recheck(List.of(uncertain));

    verifyDecided(uncertain, 10_000);
  }

  // Item 2m of issue 9: a failed restore at assignment used to wait for the partition's next
  // command (or the next rebalance) to resume its pending transfers.
  @Test
  void pending_transfers_of_a_partition_whose_restore_failed_are_resumed_without_a_new_command() {
    var stranded = pending(trackingId());
    when(restorer.restore(Set.of(0)))
        .thenThrow(new StateUnavailableException("broker away"))
        .thenThrow(new StateUnavailableException("still away"))
        .thenReturn(Map.of(0, List.of(stranded)));

    work.onPartitionsAssigned(mock(Consumer.class), List.of(new TopicPartition(COMMANDS, 0)));

    verifyDecided(stranded, 15_000);
    assertThat(book.owns(0)).isTrue();
  }

  @Test
  void a_partition_revoked_before_its_restore_succeeded_is_not_restored_later() {
    when(restorer.restore(Set.of(0))).thenThrow(new StateUnavailableException("broker away"));
    var partition = List.of(new TopicPartition(COMMANDS, 0));
    work.onPartitionsAssigned(mock(Consumer.class), partition);

    work.onPartitionsRevokedBeforeCommit(mock(Consumer.class), partition);

    verify(restorer, after(2_500).times(1)).restore(anySet());
    assertThat(book.owns(0)).isFalse();
  }

  // Item 2j of issue 9: decided entries are forgotten to bound memory; a command for one must not
  // be taken for a new transfer.
  @Test
  void a_command_for_a_transfer_forgotten_by_the_book_is_looked_up_and_not_finalized_again() {
    book = new TransferBook(Duration.ZERO, 0);
    work.stop();
    work = work();
    assign(List.of());
    var first = decidedInBook();
    assertThat(book.get(0, first.key())).isNull();
    var decided = first.decided(processing(first.trackingId()));
    when(restorer.restore(Set.of(0))).thenReturn(Map.of(0, List.of(decided)));

    var again = work.admit(first.command(), 0, null);

    assertThat(again).isInstanceOf(TransferWork.Admission.Duplicate.class);
    assertThat(registry.get(StateMetrics.READS).tag("kind", "lookup").counter().count())
        .isEqualTo(1);
  }

  // Item 2l of issue 9: a decided transfer requested again by a new command (the gateway forgot
  // it) used to publish nothing, so whoever asked saw ACCEPTED forever.
  @Test
  void a_decided_transfer_requested_by_a_new_command_is_announced_again_with_its_event_id() {
    assign(List.of());
    var first = decidedInBook();
    var event = processing(first.trackingId());
    when(restorer.restore(Set.of(0))).thenReturn(Map.of(0, List.of(first.decided(event))));

    var redelivered = work.admit(first.command(), 0, null);
    // A second command of a gateway that still knows the transfer (a day has not passed).
    var soonAgain = work.admit(command(first.trackingId()), 0, null);
    clock.advance(Duration.ofDays(1));
    var requestedAgain = work.admit(command(first.trackingId()), 0, null);

    assertThat(redelivered).isInstanceOf(TransferWork.Admission.Duplicate.class);
    assertThat(soonAgain).isInstanceOf(TransferWork.Admission.Duplicate.class);
    assertThat(requestedAgain)
        .isInstanceOfSatisfying(
            TransferWork.Admission.Reannounce.class,
            r -> {
              assertThat(r.event().value()).isEqualTo(event);
              assertThat(
                      new String(
                          r.event().headers().lastHeader(CloudEvents.ID).value(),
                          StandardCharsets.UTF_8))
                  .isEqualTo(event.eventId().toString());
            });
    verify(finalizer, never()).decide(progressOf(first.trackingId()), anyBoolean(), any());
  }

  // Item 2f of issue 9: a synchronous send failure at intake used to be caught like an invalid
  // command: the valid command was dead-lettered and the book kept a PENDING entry with no job.
  @Test
  void a_progress_record_kafka_does_not_take_rolls_the_intake_back_instead_of_dead_lettering() {
    assign(List.of());
    @SuppressWarnings("unchecked")
    org.springframework.kafka.core.KafkaOperations<String, Object> kafka =
        mock(org.springframework.kafka.core.KafkaOperations.class);
    when(kafka.send(any(org.apache.kafka.clients.producer.ProducerRecord.class)))
        .thenThrow(
            new org.apache.kafka.common.errors.TimeoutException(
                "Topic cryptshare.transfer-worker.state not present in metadata after 60000 ms."));
    var deadLetters = mock(org.springframework.kafka.listener.ConsumerAwareRecordRecoverer.class);
    var listener =
        new FinalizeCommandListener(
            work,
            new CommandValidator(
                new io.github.cspipeline.worker.credential.PassThroughCredentials(Map.of())),
            kafka,
            deadLetters,
            COMMANDS,
            "transfer-worker");
    var command = command(trackingId());
    var record =
        new org.apache.kafka.clients.consumer.ConsumerRecord<
            String,
            io.github.cspipeline.model.command.@org.jspecify.annotations.Nullable FinalizeCommand>(
            COMMANDS, 0, 7L, command.trackingId(), command);
    org.springframework.transaction.support.TransactionSynchronizationManager.initSynchronization();
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> listener.onMessage(List.of(record), mock(Consumer.class)))
          .isInstanceOf(StateUnavailableException.class);
    } finally {
      org.springframework.transaction.support.TransactionSynchronizationManager.clear();
    }

    verify(deadLetters, never()).accept(any(), any(), any());
    assertThat(work.pending()).isZero();
    assertThat(book.get(0, TransferProgress.key("default", command.trackingId()))).isNull();
  }
}

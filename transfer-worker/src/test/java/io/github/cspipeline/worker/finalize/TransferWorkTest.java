package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.FakeCryptshare.fails;
import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.testkit.MutableClock;
import io.github.cspipeline.worker.FakeCryptshare;
import io.github.cspipeline.worker.WorkerFixtures;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import io.github.cspipeline.worker.resilience.RetryBackoff;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.cspipeline.worker.state.ProgressRestorer;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * How a transfer's work ends when the {@link Finalizer} cannot decide normally. The Kafka side
 * (restore, state records, publication) is stubbed: the decisions are what is checked.
 */
class TransferWorkTest {

  static final Duration BUDGET = Duration.ofMinutes(1);
  static final String COMMANDS = "commands";

  final MutableClock clock = new MutableClock(NOW);
  final FakeCryptshare cryptshare = new FakeCryptshare();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FinalizeMetrics metrics = new FinalizeMetrics(registry, SERVER::equals);
  final ServerGuard guard =
      WorkerFixtures.guard(
          new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0), clock);
  final Finalizer finalizer =
      WorkerFixtures.finalizer(
          cryptshare, guard, new PassThroughCredentials(Map.of()), clock::advance, clock, metrics);
  final TransferBook book = new TransferBook();
  final ProgressRestorer restorer = mock(ProgressRestorer.class);
  final StateRecords stateRecords = mock(StateRecords.class);
  final TransferEventPublisher publisher = mock(TransferEventPublisher.class);
  final TransferWork work =
      new TransferWork(
          book,
          restorer,
          stateRecords,
          finalizer,
          publisher,
          TransferTracing.NOOP,
          metrics,
          clock,
          server -> BUDGET,
          COMMANDS,
          Duration.ofSeconds(1),
          new io.github.cspipeline.worker.state.StateMetrics(
              new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
          publisher::reannouncement,
          Duration.ofDays(1));

  TransferWorkTest() {
    when(stateRecords.of(any(), any()))
        .thenAnswer(i -> new ProducerRecord<String, Object>("state", "key", "progress"));
    when(publisher.publish(any(), any(), any()))
        .thenReturn(CompletableFuture.completedFuture(null));
  }

  @AfterEach
  void stop() {
    work.stop();
  }

  TransferEvent published() {
    var event = ArgumentCaptor.forClass(TransferEvent.class);
    verify(publisher, timeout(10_000)).publish(event.capture(), any(), any());
    return event.getValue();
  }

  double decided(String server, String outcome) {
    var counter =
        registry
            .find(FinalizeMetrics.FINALIZE)
            .tags("server", server, "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void a_transfer_whose_work_fails_unexpectedly_past_its_deadline_ends_abandoned_not_relaunched() {
    cryptshare.finalizeAnswers(fails(new IllegalStateException("a bug, with secret-token")));
    book.assign(0, List.of());
    var admitted = work.admit(command(trackingId()), 0, null);
    var progress = ((TransferWork.Admission.Accepted) admitted).progress();
    clock.advance(BUDGET.plusSeconds(1));

    work.start(List.of(progress));

    var event = published();
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.trackingId()).isEqualTo(progress.trackingId());
    assertThat(event.error().code()).isEqualTo(ErrorCodes.WORKER_ERROR);
    assertThat(event.error().message())
        .contains("IllegalStateException", "may have taken effect")
        .doesNotContain("secret-token");
    await().until(() -> book.get(0, progress.key()) instanceof TransferBook.Entry.Decided);
  }

  @Test
  void a_pending_transfer_resumed_after_its_server_left_the_configuration_ends_abandoned() {
    var command = FinalizeCommand.of(NOW, "gone", SENDER, trackingId(), null);
    var pending = TransferProgress.pending(command, 0, NOW, NOW.plus(BUDGET), null);
    when(restorer.restore(Set.of(0))).thenReturn(Map.of(0, List.of(pending)));

    work.onPartitionsAssigned(mock(Consumer.class), List.of(new TopicPartition(COMMANDS, 0)));

    var event = published();
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error().code()).isEqualTo(ErrorCodes.SERVER_NOT_CONFIGURED);
    assertThat(cryptshare.statusCalls()).isZero();
    assertThat(cryptshare.finalizeCalls()).isZero();
    await().until(() -> book.get(0, pending.key()) instanceof TransferBook.Entry.Decided);
    // The server id is not a tag value: only configured ones are.
    assertThat(decided(FinalizeMetrics.UNKNOWN_SERVER, "abandoned")).isEqualTo(1);
    assertThat(registry.find(FinalizeMetrics.FINALIZE).tag("server", "gone").counters()).isEmpty();
  }

  @Test
  void
      a_command_refused_at_intake_is_decided_once_its_transaction_commits_and_a_repeat_is_a_duplicate() {
    book.assign(0, List.of());
    var command = FinalizeCommand.of(NOW, SERVER, "\"a@b\"@example.com", trackingId(), null);
    var error =
        new TransferError(
            ErrorCodes.INVALID_COMMAND, "sender must be an email address", null, null);
    when(publisher.records(any(), any(), any()))
        .thenReturn(List.of(new ProducerRecord<>("events", "key", "event")));

    var refusal = work.refuse(command, 0, null, error);

    assertThat(refusal).isNotNull();
    assertThat(refusal.event().state()).isEqualTo(TransferState.REJECTED);
    assertThat(refusal.event().error()).isEqualTo(error);
    assertThat(refusal.records()).hasSize(1);
    assertThat(work.refuse(command, 0, null, error)).isNull();
    work.refused(List.of(refusal));
    assertThat(book.get(0, refusal.progress().key()))
        .isInstanceOfSatisfying(
            TransferBook.Entry.Decided.class,
            d -> assertThat(d.outcome()).isEqualTo(TransferState.REJECTED));
    assertThat(work.pending()).isZero();
    assertThat(work.admit(command, 0, null)).isInstanceOf(TransferWork.Admission.Duplicate.class);
    assertThat(decided(SERVER, "rejected")).isEqualTo(1);
  }
}

package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.FakeCryptshare.fails;
import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static io.github.cspipeline.worker.WorkerFixtures.statusUrl;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.worker.FakeCryptshare;
import io.github.cspipeline.worker.WorkerFixtures;
import io.github.cspipeline.worker.finalize.BatchFinalizer.Result;
import io.github.cspipeline.worker.finalize.BatchFinalizer.Work;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class BatchFinalizerTest {

  final TestPipeline pipeline = new TestPipeline();
  final FakeCryptshare cryptshare = pipeline.cryptshare;
  final FakeCryptshare slowCryptshare = pipeline.slowCryptshare;
  final MockProducer<String, Object> producer = pipeline.producer;
  final SimpleMeterRegistry registry = pipeline.registry;
  final BatchFinalizer batch = pipeline.batch;

  static Work work(FinalizeCommand command) {
    return new Work(command, null);
  }

  List<TransferEvent> published() {
    return pipeline.published();
  }

  static String header(ProducerRecord<?, ?> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void every_decision_is_published_keyed_by_tracking_id_with_cloud_events_headers() {
    var first = trackingId();
    var second = trackingId();
    var traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    var results =
        batch.finalizeAll(
            List.of(
                new Work(command(first), traceparent.getBytes(StandardCharsets.UTF_8)),
                work(command(second))));

    assertThat(results).containsOnly(new Result.Done());
    assertThat(producer.history())
        .extracting(ProducerRecord::topic, ProducerRecord::key)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(TestPipeline.EVENTS, first),
            org.assertj.core.groups.Tuple.tuple(TestPipeline.EVENTS, second));
    var record =
        producer.history().stream().filter(r -> r.key().equals(first)).findFirst().orElseThrow();
    var event = (TransferEvent) record.value();
    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).isEqualTo(statusUrl(SENDER, first));
    assertThat(header(record, CloudEvents.ID)).isEqualTo(event.eventId().toString());
    assertThat(header(record, CloudEvents.SOURCE))
        .isEqualTo("/cryptshare-pipeline/transfer-worker");
    assertThat(header(record, CloudEvents.TYPE)).isEqualTo(TransferEvent.CLOUD_EVENT_TYPE);
    assertThat(header(record, CloudEvents.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(record, CloudEvents.TIME)).isEqualTo("2026-11-26T10:15:00Z");
    assertThat(header(record, "traceparent")).isEqualTo(traceparent);
  }

  @Test
  void a_transfer_waiting_for_cryptshare_does_not_hold_up_the_others() throws Exception {
    var release = new CountDownLatch(1);
    var slow = FinalizeCommand.of(NOW, "slow", SENDER, trackingId(), null);
    var fast = command(trackingId());
    slowCryptshare.finalizeAnswers(
        () -> {
          release.await();
          return statusUrl(SENDER, slow.trackingId());
        });

    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var results =
          CompletableFuture.supplyAsync(
              () -> batch.finalizeAll(List.of(work(slow), work(fast))), executor);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> published().stream().anyMatch(e -> e.trackingId().equals(fast.trackingId())));
      assertThat(results).isNotDone();
      assertThat(registry.get(FinalizeMetrics.IN_FLIGHT).gauge().value()).isEqualTo(1.0);

      release.countDown();
      assertThat(results.get()).containsOnly(new Result.Done());
    }
    assertThat(registry.get(FinalizeMetrics.IN_FLIGHT).gauge().value()).isZero();
  }

  @Test
  void commands_for_one_transfer_are_decided_once_and_published_in_order() {
    var trackingId = trackingId();

    var results = batch.finalizeAll(List.of(work(command(trackingId)), work(command(trackingId))));

    assertThat(results).containsExactly(new Result.Done(), new Result.Done());
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
    assertThat(published())
        .hasSize(2)
        .extracting(TransferEvent::eventId)
        .containsOnly(TransferEvent.eventIdOf(SERVER, trackingId, TransferState.PROCESSING));
  }

  @Test
  void an_event_kafka_refuses_postpones_the_command_and_its_redelivery_gets_the_same_decision() {
    var trackingId = trackingId();
    cryptshare.finalizeAnswers(fails(WorkerFixtures.answer(409, 2001)));
    producer.sendException = new KafkaException("broker down");

    var first = batch.finalizeAll(List.of(work(command(trackingId)), work(command(trackingId))));

    assertThat(first).containsExactly(new Result.Postponed(), new Result.Postponed());

    producer.sendException = null;
    cryptshare.finalizeAnswers(() -> statusUrl(SENDER, trackingId));
    var again = batch.finalizeAll(List.of(work(command(trackingId))));

    assertThat(again).containsExactly(new Result.Done());
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
    assertThat(published())
        .singleElement()
        .extracting(TransferEvent::state)
        .isEqualTo(TransferState.REJECTED);
  }

  @Test
  void a_stopping_worker_postpones_commands_without_calling_cryptshare() {
    pipeline.shutdown.stop();

    var results = batch.finalizeAll(List.of(work(command(trackingId()))));

    assertThat(results).containsExactly(new Result.Postponed());
    assertThat(cryptshare.finalizeCalls()).isZero();
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void an_unexpected_failure_is_reported_and_the_other_commands_still_finish() {
    var broken = FinalizeCommand.of(NOW, "slow", SENDER, trackingId(), null);
    var bug = new IllegalStateException("bug");
    slowCryptshare.finalizeAnswers(fails(bug));

    var results = batch.finalizeAll(List.of(work(broken), work(command(trackingId()))));

    assertThat(results).containsExactly(new Result.Failed(bug), new Result.Done());
  }

  @Test
  void decisions_are_counted_and_timed_per_server() {
    batch.finalizeAll(List.of(work(command(trackingId()))));

    assertThat(
            registry
                .get(FinalizeMetrics.FINALIZE)
                .tags("server", SERVER, "outcome", "processing")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(registry.get(FinalizeMetrics.LATENCY).tags("server", SERVER).timer().count())
        .isEqualTo(1);
  }
}

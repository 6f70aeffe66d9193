package io.github.cspipeline.worker;

import static io.github.cspipeline.worker.Workers.command;
import static io.github.cspipeline.worker.Workers.send;
import static io.github.cspipeline.worker.Workers.trackingIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The trace of a command continues through the worker (ADR 020), against the Cryptshare simulator:
 * the finalize request reaches Cryptshare with a {@code traceparent} of the command's trace, and
 * the decision's event carries one too, also when the transfer is resumed after a restart.
 */
@EmbeddedKafka(partitions = 3, topics = Topics.FINALIZE_COMMANDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TracingIT extends SimulatorBackedIT {

  static final String SENDER = "tracing@example.com";
  static final Duration PATIENCE = Duration.ofSeconds(60);

  /** The worker of the tests before the restart test, which stops it. */
  static ConfigurableApplicationContext worker;

  @BeforeAll
  static void startWorker() {
    worker = closeAfterAll(worker());
  }

  static ConfigurableApplicationContext worker() {
    return Workers.start(
        bootstrapServers,
        simulator.baseUrl(),
        "cryptshare.worker.servers.default.retry.initial-backoff=200ms",
        "cryptshare.worker.servers.default.retry.max-backoff=500ms",
        "cryptshare.worker.servers.default.retry.budget=2m",
        // The outage of the restart test must not open the circuit: every call is to be seen.
        "cryptshare.worker.servers.default.circuit-breaker.minimum-number-of-calls=1000",
        "cryptshare.worker.servers.default.circuit-breaker.sliding-window-size=1000");
  }

  @Test
  @Order(1)
  void a_commands_trace_reaches_cryptshare_and_the_processing_event() {
    var command = Traceparent.parse("00-" + hex(16) + "-" + hex(8) + "-01").orElseThrow();
    var trackingId = trackingIds(1).getFirst();

    send(commands, command(SENDER, trackingId), command.toString());
    commands.flush();

    assertThat(events.awaitEvent(trackingId, PATIENCE).state()).isEqualTo(TransferState.PROCESSING);
    var event = eventTraceparent(trackingId);
    assertThat(event.traceId())
        .as("the event continues the command's trace")
        .isEqualTo(command.traceId());
    assertThat(event.parentId())
        .as("the event's parent is the worker's span, not the gateway's")
        .isNotEqualTo(command.parentId());
    assertThat(event.sampled()).isTrue();

    var finalize = Traceparent.parse(simulator.lastFinalizeTraceparent(trackingId));
    assertThat(finalize).as("the finalize request carried a traceparent").isPresent();
    assertThat(finalize.get().traceId()).isEqualTo(command.traceId());
    assertThat(finalize.get().parentId())
        .as("the request is a span of its own, a child of the worker's")
        .isNotIn(command.parentId(), event.parentId());
  }

  @Test
  @Order(2)
  void an_unsampled_trace_is_propagated_all_the_same() {
    var command = Traceparent.parse("00-" + hex(16) + "-" + hex(8) + "-00").orElseThrow();
    var trackingId = trackingIds(1).getFirst();

    send(commands, command(SENDER, trackingId), command.toString());
    commands.flush();

    events.awaitEvent(trackingId, PATIENCE);
    var event = eventTraceparent(trackingId);
    assertThat(event.traceId()).isEqualTo(command.traceId());
    assertThat(event.sampled()).as("the caller's decision not to record holds").isFalse();
    var finalize = Traceparent.parse(simulator.lastFinalizeTraceparent(trackingId)).orElseThrow();
    assertThat(finalize.traceId()).isEqualTo(command.traceId());
    assertThat(finalize.sampled()).isFalse();
  }

  @Test
  @Order(3)
  void a_command_without_trace_context_starts_one_trace_for_its_requests_and_event() {
    var trackingId = trackingIds(1).getFirst();

    send(commands, command(SENDER, trackingId));
    commands.flush();

    events.awaitEvent(trackingId, PATIENCE);
    var event = eventTraceparent(trackingId);
    var finalize = Traceparent.parse(simulator.lastFinalizeTraceparent(trackingId)).orElseThrow();
    assertThat(finalize.traceId()).isEqualTo(event.traceId());
  }

  /**
   * The first worker takes the command in but cannot decide (Cryptshare answers 503) and stops; the
   * second resumes the transfer from the state topic and continues the command's trace: its
   * finalize request and the event belong to it.
   */
  @Test
  @Order(4)
  void a_transfer_resumed_after_a_restart_continues_the_commands_trace() {
    var command = Traceparent.parse("00-" + hex(16) + "-" + hex(8) + "-01").orElseThrow();
    var trackingId = trackingIds(1).getFirst();
    worker.close();
    var first = worker();
    ConfigurableApplicationContext second = null;
    try {
      // The sender's token is cached first: during the outage the worker goes on to finalize.
      var warmUp = trackingIds(1).getFirst();
      send(commands, command(SENDER, warmUp));
      commands.flush();
      events.awaitEvent(warmUp, PATIENCE);
      simulator.faults("{\"outage\": true}");
      send(commands, command(SENDER, trackingId), command.toString());
      commands.flush();
      // A finalize was tried: the command's intake (and its trace context) is committed.
      await().atMost(PATIENCE).until(() -> simulator.finalizeCalls(trackingId) >= 1);
      first.close();
      assertThat(events.eventsOf(trackingId)).as("no decision before the restart").isEmpty();
      var callsBefore = simulator.finalizeCalls(trackingId);

      simulator.noFaults();
      second = worker();

      assertThat(events.awaitEvent(trackingId, PATIENCE).state())
          .isEqualTo(TransferState.PROCESSING);
      assertThat(simulator.finalizeCalls(trackingId))
          .as("the resumed worker finalized")
          .isGreaterThan(callsBefore);
      var finalize = Traceparent.parse(simulator.lastFinalizeTraceparent(trackingId)).orElseThrow();
      assertThat(finalize.traceId()).isEqualTo(command.traceId());
      assertThat(eventTraceparent(trackingId).traceId()).isEqualTo(command.traceId());
    } finally {
      simulator.noFaults();
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  /** The traceparent header of the transfer's one event record. */
  private static Traceparent eventTraceparent(String trackingId) {
    var records = events.recordsOf(trackingId);
    assertThat(records).hasSize(1);
    var traceparent = Traceparent.of(records.getFirst().headers());
    assertThat(traceparent).as("the event record carries a valid traceparent").isPresent();
    return traceparent.get();
  }

  private static String hex(int bytes) {
    var random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zero
    return HexFormat.of().formatHex(random);
  }
}

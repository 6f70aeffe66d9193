package io.github.cspipeline.poller.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The trace of a transfer continues through the poller (ADR 020), against the Cryptshare simulator,
 * which records the {@code traceparent} of each transfer's last status request: the status requests
 * and the terminal event continue the {@code PROCESSING} event's trace, each from a span of its
 * own; unsampled contexts travel unsampled; a watch without context gets one trace for all its
 * polls and its event; watches settled through a sender's list keep their own traces.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracingIT {

  private static final String SENDER = "tracing@example.com";
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static PollerRig rig;
  private static SimulatorFixture simulator;
  private static EventLog events;

  @BeforeAll
  static void start() {
    // A sender with three watches is swept through its list (the bulk test); the others have one.
    // The per-transfer line that shows the log correlation is written at DEBUG.
    rig =
        PollerRig.start(
            "tracing",
            Map.of(
                "cryptshare.poller.bulk.min-watched-per-sender",
                "3",
                "logging.level.io.github.cspipeline.poller.poll.TransferPoller",
                "DEBUG"));
    simulator = rig.simulator();
    events = rig.events();
  }

  @AfterAll
  static void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void the_status_request_and_the_terminal_event_continue_the_processing_events_trace(
      CapturedOutput output) {
    var processing = newContext("01");
    var id = "Trace-Sampled";

    watch(SENDER, id, "PT0.5S", processing);

    var event = terminalTraceparent(id);
    var status = lastStatusTraceparent(id);
    assertThat(List.of(status.traceId(), event.traceId()))
        .as("the status request and the ACTIVE event belong to the PROCESSING event's trace")
        .containsOnly(processing.traceId());
    assertThat(event.parentId())
        .as("the event's parent is the poller's span, neither the worker's nor the request's")
        .isNotIn(processing.parentId(), status.parentId());
    assertThat(status.parentId())
        .as("the request is a span of its own")
        .isNotEqualTo(processing.parentId());
    assertThat(List.of(status, event)).allMatch(Traceparent::sampled);
    assertThat(output.getAll().lines().filter(l -> l.contains("Transfer " + id + " on default is")))
        .as("log lines written while polling carry the trace id")
        .singleElement(InstanceOfAssertFactories.STRING)
        .contains("[" + processing.traceId() + "-" + event.parentId() + "]");
  }

  @Test
  void an_unsampled_trace_is_propagated_unsampled() {
    var processing = newContext("00");
    var id = "Trace-Unsampled";

    watch(SENDER, id, "PT0.5S", processing);

    var event = terminalTraceparent(id);
    var status = lastStatusTraceparent(id);
    assertThat(List.of(status.traceId(), event.traceId())).containsOnly(processing.traceId());
    assertThat(event.parentId()).isNotIn(processing.parentId(), status.parentId());
    assertThat(List.of(status, event))
        .as("the decision not to record holds")
        .noneMatch(Traceparent::sampled);
  }

  @Test
  void a_watch_without_trace_context_gets_one_trace_for_all_its_polls_and_its_event() {
    var id = "Trace-None";
    watch(SENDER, id, "PT60S", null);
    await().atMost(PATIENCE).until(() -> simulator.statusCalls(id) >= 2);
    var early = lastStatusTraceparent(id);

    simulator.forceState(id, "ACTIVE");

    var event = terminalTraceparent(id);
    var last = lastStatusTraceparent(id);
    assertThat(List.of(last.traceId(), event.traceId()))
        .as("one trace, started for the watch, over its polls and its event")
        .containsOnly(early.traceId());
    assertThat(last.parentId()).as("each poll is a span of its own").isNotEqualTo(early.parentId());
    assertThat(event.parentId()).isNotIn(early.parentId(), last.parentId());
  }

  @Test
  void watches_settled_through_their_senders_list_keep_their_own_traces() {
    var sender = "bulk-tracing@example.com";
    var ids = new ArrayList<String>();
    var contexts = new ArrayList<Traceparent>();
    for (int i = 0; i < 4; i++) {
      var id = "Trace-Bulk-" + i;
      var context = newContext("01");
      ids.add(id);
      contexts.add(context);
      watch(sender, id, "PT3S", context);
    }
    await().atMost(PATIENCE).until(() -> simulator.endpointRequests("list") >= 1);

    for (int i = 0; i < ids.size(); i++) {
      var id = ids.get(i);
      var processing = contexts.get(i);
      var event = terminalTraceparent(id);
      var status = lastStatusTraceparent(id);
      assertThat(List.of(status.traceId(), event.traceId()))
          .as("the status request and the event of %s", id)
          .containsOnly(processing.traceId());
      assertThat(event.parentId()).isNotIn(processing.parentId(), status.parentId());
    }
  }

  private static void watch(
      String sender, String trackingId, String processingTime, @Nullable Traceparent context) {
    var statusUrl = simulator.seedAndFinalize(sender, trackingId, "ACTIVE", processingTime);
    events.processing(
        "default", sender, trackingId, statusUrl, context == null ? null : context.toString());
    events.flush();
  }

  /** The traceparent of the transfer's one terminal event, which must be ACTIVE. */
  private static Traceparent terminalTraceparent(String trackingId) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !events.terminal(trackingId).isEmpty());
    var seen = events.terminal(trackingId);
    assertThat(seen).hasSize(1);
    assertThat(seen.getFirst().event().state()).isEqualTo(TransferState.ACTIVE);
    assertThat(seen.getFirst().byPoller()).isTrue();
    var traceparent = Traceparent.parse(seen.getFirst().traceparent());
    assertThat(traceparent).as("the event record carries a valid traceparent").isPresent();
    return traceparent.get();
  }

  private static Traceparent lastStatusTraceparent(String trackingId) {
    var traceparent = Traceparent.parse(simulator.lastStatusTraceparent(trackingId));
    assertThat(traceparent).as("the status request carried a valid traceparent").isPresent();
    return traceparent.get();
  }

  private static Traceparent newContext(String flags) {
    return Traceparent.parse("00-" + hex(16) + "-" + hex(8) + "-" + flags).orElseThrow();
  }

  private static String hex(int bytes) {
    var random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zero
    return HexFormat.of().formatHex(random);
  }
}

package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.Traceparent;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The trace of a finalize request reaches the command record (ADR 020): the caller's W3C {@code
 * traceparent} is continued, or a new trace starts, and the command carries the context of the
 * gateway's own span.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracingIT extends AbstractGatewayIT {

  /** {@code 00-<trace>-<parent>-<flags>}, lower-case hex, as the W3C specification writes it. */
  static final String W3C = "00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]";

  @Test
  void a_callers_traceparent_is_continued_by_the_command_record(CapturedOutput output) {
    var traceId = hex(16);
    var callerSpan = hex(8);
    var trackingId = uniqueTrackingId("traced");

    var response =
        post(
            port,
            KEY,
            body("alice@example.com", trackingId),
            Map.of("traceparent", "00-" + traceId + "-" + callerSpan + "-01"));

    assertThat(response.statusCode()).isEqualTo(202);
    var command = onlyCommand(trackingId);
    assertThat(command).matches(W3C);
    var traceparent = Traceparent.parse(command).orElseThrow();
    assertThat(traceparent.traceId()).as("same trace").isEqualTo(traceId);
    assertThat(traceparent.parentId())
        .as("the gateway's own span is the parent, not the caller's")
        .isNotEqualTo(callerSpan);
    assertThat(traceparent.sampled()).as("the caller's sampling decision holds").isTrue();
    assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
    assertThat(
            output.getAll().lines().filter(l -> l.contains("Accepted finalize of " + trackingId)))
        .as("log lines carry the trace id")
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains(traceId);
  }

  @Test
  void an_unsampled_traceparent_is_forwarded_all_the_same() {
    var traceId = hex(16);
    var callerSpan = hex(8);
    var trackingId = uniqueTrackingId("unsampled");

    var response =
        post(
            port,
            KEY,
            body("alice@example.com", trackingId),
            Map.of("traceparent", "00-" + traceId + "-" + callerSpan + "-00"));

    assertThat(response.statusCode()).isEqualTo(202);
    var traceparent = Traceparent.parse(onlyCommand(trackingId)).orElseThrow();
    assertThat(traceparent.traceId()).isEqualTo(traceId);
    assertThat(traceparent.parentId()).isNotEqualTo(callerSpan);
    assertThat(traceparent.sampled()).as("not sampled by the caller: not sampled here").isFalse();
  }

  @Test
  void without_a_traceparent_the_gateway_starts_a_trace() {
    var trackingId = uniqueTrackingId("untraced");

    var response = post(port, KEY, body("alice@example.com", trackingId));

    assertThat(response.statusCode()).isEqualTo(202);
    var command = onlyCommand(trackingId);
    assertThat(command).matches(W3C);
    var traceparent = Traceparent.parse(command).orElseThrow();
    assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceparent.traceId());
  }

  @Test
  void an_invalid_traceparent_starts_a_new_trace() {
    var trackingId = uniqueTrackingId("badtrace");

    var response =
        post(
            port,
            KEY,
            body("alice@example.com", trackingId),
            Map.of("traceparent", "00-" + "0".repeat(32) + "-" + hex(8) + "-01"));

    assertThat(response.statusCode()).isEqualTo(202);
    var traceparent = Traceparent.parse(onlyCommand(trackingId)).orElseThrow();
    assertThat(traceparent.traceId()).isNotEqualTo("0".repeat(32));
  }

  @Test
  void refusals_tell_the_trace_id_too() {
    var traceId = hex(16);

    var response =
        post(
            port,
            "not-a-key",
            body("alice@example.com", uniqueTrackingId("refused")),
            Map.of("traceparent", "00-" + traceId + "-" + hex(8) + "-01"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
    assertThat(nothingEmitted()).isTrue();
  }

  /** The traceparent header of the one command of this transfer. */
  private String onlyCommand(String trackingId) {
    var commands = commandsSinceStart().stream().filter(r -> trackingId.equals(r.key())).toList();
    assertThat(commands).hasSize(1);
    return header(commands.getFirst(), Traceparent.HEADER);
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String hex(int bytes) {
    var random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zero
    return HexFormat.of().formatHex(random);
  }
}

package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.github.cspipeline.model.Traceparent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
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

    var response = postTraced(KEY, trackingId, "00-" + traceId + "-" + callerSpan + "-01");

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

    var response = postTraced(KEY, trackingId, "00-" + traceId + "-" + callerSpan + "-00");

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

    var response = postTraced(KEY, trackingId, "00-" + "0".repeat(32) + "-" + hex(8) + "-01");

    assertThat(response.statusCode()).isEqualTo(202);
    var traceparent = Traceparent.parse(onlyCommand(trackingId)).orElseThrow();
    assertThat(traceparent.traceId()).isNotEqualTo("0".repeat(32));
  }

  @Test
  void refusals_tell_the_trace_id_too() {
    var traceId = hex(16);

    var response =
        postTraced(
            "not-a-key", uniqueTrackingId("refused"), "00-" + traceId + "-" + hex(8) + "-01");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
    assertThat(nothingEmitted()).isTrue();
  }

  /**
   * Spans leave the process only when an OTLP endpoint is configured: then the request's spans
   * reach it (OTLP over HTTP, the JDK's client), here a stand-in collector on loopback.
   */
  @Test
  void spans_are_exported_over_otlp_when_an_endpoint_is_configured() throws Exception {
    var received = new LinkedBlockingQueue<byte[]>();
    var collector =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          try (exchange) {
            received.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
          }
        });
    collector.start();
    var endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces";
    try (var exporting =
        ApiGatewayApplication.builder()
            .run(
                GatewayFixtures.arguments(
                    Map.of(
                        "spring.config.name", "tracing-it-none",
                        "server.port", "0",
                        "spring.kafka.bootstrap-servers", broker.getBrokersAsString(),
                        "management.opentelemetry.tracing.export.otlp.endpoint", endpoint,
                        "management.opentelemetry.tracing.export.schedule-delay", "100ms",
                        "management.tracing.sampling.probability", "1.0")))) {
      var exportingPort =
          Integer.parseInt(exporting.getEnvironment().getRequiredProperty("local.server.port"));
      var exportingManagement =
          Integer.parseInt(exporting.getEnvironment().getRequiredProperty("local.management.port"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  GatewayFixtures.get(exportingManagement, "", "/actuator/health/readiness")
                          .statusCode()
                      == 200);
      var traceId = hex(16);

      var response =
          post(
              exportingPort,
              KEY,
              body("alice@example.com", uniqueTrackingId("exported")),
              Map.of("traceparent", "00-" + traceId + "-" + hex(8) + "-01"));

      assertThat(response.statusCode()).isEqualTo(202);
      var traceIdBytes = HexFormat.of().parseHex(traceId);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> received.stream().anyMatch(batch -> contains(batch, traceIdBytes)));
    } finally {
      collector.stop(0);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
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

  /** Posts a finalize of alice's transfer with the caller's {@code traceparent} header. */
  private HttpResponse<String> postTraced(String key, String trackingId, String traceparent) {
    return post(
        port, key, body("alice@example.com", trackingId), Map.of("traceparent", traceparent));
  }
}

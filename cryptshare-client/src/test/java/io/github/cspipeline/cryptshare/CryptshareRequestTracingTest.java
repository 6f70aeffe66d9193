package io.github.cspipeline.cryptshare;

import static io.github.cspipeline.testkit.StubCryptshare.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.cryptshare.tracing.CryptshareRequestTracing;
import io.github.cspipeline.cryptshare.tracing.SpanRecorder;
import io.github.cspipeline.cryptshare.tracing.StoredTraceContext;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.testkit.StubCryptshare;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests to Cryptshare carry the trace context; only sampled ones are spans of their own. */
class CryptshareRequestTracingTest {

  static final String SENDER = "alice@example.com";
  static final String TRACKING_ID = "20261126-101500-AbCdEfGh";
  static final String STATUS = "/api/users/" + SENDER + "/transfers/" + TRACKING_ID;
  static final String SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final String UNSAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

  final List<ReadableSpan> ended = new CopyOnWriteArrayList<>();
  final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
          .addSpanProcessor(new SpanRecorder(ended))
          .build();
  final io.opentelemetry.api.trace.Tracer otel = provider.get("test");
  final Tracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
  final StoredTraceContext context =
      new StoredTraceContext(
          tracer,
          new OtelPropagator(
              ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel));

  StubCryptshare stub;
  CryptshareClient client;

  @BeforeEach
  void start() throws IOException {
    stub = new StubCryptshare();
    stub.on("GET", STATUS, json(200, "{\"status\": {\"state\": \"ACTIVE\"}}"));
    client =
        new CryptshareClient(
            "default",
            new CryptshareServerProperties(
                stub.baseUrl(),
                null,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                10,
                Duration.ofMinutes(5)),
            new CryptshareRequestTracing(tracer),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    stub.close();
    provider.close();
  }

  /** Asks for the status in a span of work opened from {@code kept}; returns that span's id. */
  String statusInWorkSpan(String kept) {
    var work = context.childOf(kept).name("work").start();
    try (var scope = context.inScope(work)) {
      client.transferStatus(client.statusUrlOf(SENDER, TRACKING_ID), "tok");
    } finally {
      work.end();
    }
    return work.context().spanId();
  }

  Traceparent sentTraceparent() {
    return Traceparent.parse(stub.requests().getLast().header(Traceparent.HEADER)).orElseThrow();
  }

  @Test
  void a_sampled_request_is_a_client_span_of_its_own_and_sends_its_context() {
    var work = statusInWorkSpan(SAMPLED);

    var sent = sentTraceparent();
    assertThat(sent.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(sent.sampled()).isTrue();
    assertThat(sent.parentId()).isNotEqualTo(work);
    var request =
        ended.stream().filter(span -> span.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
    assertThat(request.getSpanContext().getSpanId()).isEqualTo(sent.parentId());
    assertThat(request.getParentSpanContext().getSpanId()).isEqualTo(work);
    assertThat(request.getName()).isEqualTo("http get");
    assertThat(request.getAttribute(AttributeKey.stringKey("http.response.status_code")))
        .isEqualTo("200");
  }

  @Test
  void an_unsampled_request_sends_its_trace_with_a_span_id_of_its_own_and_records_nothing() {
    var work = statusInWorkSpan(UNSAMPLED);

    var sent = sentTraceparent();
    assertThat(sent.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(sent.parentId())
        .as("the request's own position in the trace, not its caller's")
        .isNotEqualTo(work)
        .matches("[0-9a-f]{16}")
        .isNotEqualTo("0000000000000000");
    assertThat(sent.sampled()).isFalse();
    assertThat(ended).as("nothing recorded").isEmpty();
  }

  @Test
  void a_request_outside_any_span_sends_no_context() {
    client.transferStatus(client.statusUrlOf(SENDER, TRACKING_ID), "tok");

    assertThat(stub.requests().getLast().header(Traceparent.HEADER)).isNull();
    assertThat(ended).isEmpty();
  }
}

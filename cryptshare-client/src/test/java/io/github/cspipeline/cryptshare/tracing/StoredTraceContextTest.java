package io.github.cspipeline.cryptshare.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.Traceparent;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against the OpenTelemetry bridge the services use, with a parent-based sampler as Boot's. */
class StoredTraceContextTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";
  private static final String SAMPLED = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
  private static final String UNSAMPLED = "00-" + TRACE_ID + "-" + PARENT_ID + "-00";

  private final List<ReadableSpan> ended = new CopyOnWriteArrayList<>();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
          .addSpanProcessor(new SpanRecorder(ended))
          .build();
  private final io.opentelemetry.api.trace.Tracer otel = provider.get("test");
  private final Tracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
  private final StoredTraceContext tracing =
      new StoredTraceContext(
          tracer,
          new OtelPropagator(
              ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel));

  @AfterEach
  void close() {
    provider.close();
  }

  private Traceparent spanOf(String parent) {
    var span = tracing.childOf(parent).name("child").start();
    try {
      return Traceparent.parse(tracing.traceparentOf(span, null)).orElseThrow();
    } finally {
      span.end();
    }
  }

  /** A child stays in its parent's trace, with the parent's sampling and a span id of its own. */
  private static void assertChildOfTheKeptContext(Traceparent child, boolean sampled) {
    assertThat(child.traceId()).isEqualTo(TRACE_ID);
    assertThat(child.parentId()).isNotEqualTo(PARENT_ID);
    assertThat(child.sampled()).isEqualTo(sampled);
  }

  @Test
  void a_child_of_a_kept_context_has_its_trace_id_and_a_span_id_of_its_own() {
    assertChildOfTheKeptContext(spanOf(SAMPLED), true);
    assertThat(ended)
        .singleElement()
        .satisfies(
            span -> assertThat(span.getParentSpanContext().getSpanId()).isEqualTo(PARENT_ID));
  }

  @Test
  void an_unsampled_context_stays_unsampled_and_still_gets_a_span_id_of_its_own() {
    assertChildOfTheKeptContext(spanOf(UNSAMPLED), false);
    assertThat(ended).as("nothing recorded").isEmpty();
  }

  @Test
  void without_a_valid_context_a_new_trace_starts() {
    var root = spanOf("garbage");

    assertThat(root.traceId()).isNotEqualTo(TRACE_ID);
    assertThat(ended)
        .singleElement()
        .satisfies(span -> assertThat(span.getParentSpanContext().isValid()).isFalse());
  }

  @Test
  void keeps_a_valid_context_as_it_is_and_starts_a_trace_for_a_missing_one() {
    assertThat(tracing.keep(" " + UNSAMPLED, b -> b.name("intake"))).isEqualTo(UNSAMPLED);
    assertThat(ended).isEmpty();

    var kept = Traceparent.parse(tracing.keep(null, b -> b.name("intake").tag("k", "v")));

    assertThat(kept).isPresent();
    assertThat(ended)
        .singleElement()
        .satisfies(
            span -> {
              assertThat(span.getName()).isEqualTo("intake");
              assertThat(span.getParentSpanContext().isValid()).isFalse();
              assertThat(span.getSpanContext().getTraceId()).isEqualTo(kept.get().traceId());
              assertThat(span.getSpanContext().getSpanId()).isEqualTo(kept.get().parentId());
            });
  }

  @Test
  void a_span_in_scope_is_the_current_span_until_the_scope_closes() {
    var span = tracing.childOf(SAMPLED).name("work").start();
    try (var scope = tracing.inScope(span)) {
      assertThat(tracing.currentSpan())
          .isNotNull()
          .extracting(current -> current.context().spanId())
          .isEqualTo(span.context().spanId());
    } finally {
      span.end();
    }
    assertThat(tracing.currentSpan()).isNull();
  }

  @Test
  void with_tracing_off_records_carry_the_kept_context_unchanged() {
    var noop = StoredTraceContext.NOOP;
    Span span = noop.childOf(SAMPLED).name("work").start();

    assertThat(noop.traceparentOf(span, SAMPLED)).isEqualTo(SAMPLED);
    assertThat(noop.keep(null, b -> b.name("intake"))).isNull();
    assertThat(noop.keep(SAMPLED, b -> b.name("intake"))).isEqualTo(SAMPLED);
  }
}

package io.github.cspipeline.poller;

import io.github.cspipeline.poller.tracing.PollTracing;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.jspecify.annotations.Nullable;

/**
 * The tracer the application gets (OpenTelemetry behind Micrometer's API, W3C propagation,
 * parent-based sampling), for unit tests: spans are made and dropped.
 */
public final class OtelTracing implements AutoCloseable {

  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.alwaysOn())).build();
  private final Tracer tracer;
  private final PollTracing pollTracing;

  public OtelTracing() {
    var otel = provider.get("poller-test");
    tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
    pollTracing =
        new PollTracing(
            tracer,
            new OtelPropagator(
                ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel));
  }

  public PollTracing pollTracing() {
    return pollTracing;
  }

  /** The trace id of the span current on this thread, if any. */
  public @Nullable String currentTraceId() {
    var span = tracer.currentSpan();
    return span == null ? null : span.context().traceId();
  }

  @Override
  public void close() {
    provider.close();
  }
}

package io.github.cspipeline.worker.tracing;

import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.worker.state.TransferProgress;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The spans of a transfer. Its command is taken in by the Kafka listener, but the transfer is
 * worked on later, on a virtual thread of its own, and its decision is published by the
 * transactional writer's thread, possibly after a restart on another instance: no observation scope
 * reaches there. So the command's W3C {@code traceparent} is kept with the transfer's progress (on
 * the state topic, while it is pending), and the span of the work is opened from it explicitly.
 * Requests to Cryptshare made in that span's scope are its children (RestClient observation), and
 * the decision carries the span's own {@code traceparent}.
 *
 * <p>The trace context travels whether or not the trace is sampled: an unsampled context makes
 * unsampled spans with new span ids, and is propagated with its flags as they are.
 */
public final class TransferTracing {

  /** Name of the span of one transfer's work, from start (or resumption) to published decision. */
  public static final String WORK_SPAN = "cryptshare.worker.transfer";

  /** Name of the root span a command without trace context gets when it is taken in. */
  public static final String INTAKE_SPAN = "cryptshare.worker.intake";

  /** Tracing off: no spans, and records carry the command's context unchanged. */
  public static final TransferTracing NOOP = new TransferTracing(Tracer.NOOP, Propagator.NOOP);

  private final Tracer tracer;
  private final Propagator propagator;

  public TransferTracing(Tracer tracer, Propagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /**
   * The trace context to keep with a command taken in: its own, when valid; otherwise that of a new
   * trace, started with a short intake span, so that the transfer's spans and events (also after a
   * restart) form one trace. Null only when tracing is off and the command had none.
   *
   * @param header the command record's {@code traceparent} header, if any
   */
  public @Nullable String intake(@Nullable String header, FinalizeCommand command) {
    var valid = Traceparent.parse(header);
    if (valid.isPresent()) {
      return valid.get().toString();
    }
    var span =
        tracer
            .spanBuilder()
            .setNoParent()
            .name(INTAKE_SPAN)
            .kind(Span.Kind.CONSUMER)
            .tag("cryptshare.server", command.server())
            .tag("cryptshare.tracking_id", command.trackingId())
            .start();
    try {
      return traceparentOf(span, null);
    } finally {
      span.end();
    }
  }

  /**
   * Starts the span of a transfer's work: a child of the context kept with it, or the root of a new
   * trace when it has none. The caller puts it in scope ({@link #inScope}) and ends it.
   */
  public Span startWork(TransferProgress progress, boolean resumed) {
    var parent = Traceparent.parse(progress.traceparent());
    var builder =
        parent.isPresent()
            ? propagator.extract(
                Map.of(Traceparent.HEADER, parent.get().toString()), TransferTracing::get)
            : tracer.spanBuilder().setNoParent();
    return builder
        .name(WORK_SPAN)
        .kind(Span.Kind.CONSUMER)
        .tag("cryptshare.server", progress.server())
        .tag("cryptshare.tracking_id", progress.trackingId())
        .tag("cryptshare.resumed", Boolean.toString(resumed))
        .start();
  }

  /** Makes {@code span} the current span of this thread until the scope is closed. */
  public Tracer.SpanInScope inScope(Span span) {
    return tracer.withSpan(span);
  }

  /**
   * The {@code traceparent} of records sent in {@code span}, or {@code fallback} when tracing is
   * off.
   */
  public @Nullable String traceparentOf(Span span, @Nullable String fallback) {
    var carrier = new HashMap<String, String>();
    propagator.inject(span.context(), carrier, Map::put);
    var injected = carrier.get(Traceparent.HEADER);
    return injected != null ? injected : fallback;
  }

  private static @Nullable String get(Map<String, String> carrier, String key) {
    return carrier.get(key);
  }
}

package io.github.cspipeline.cryptshare.tracing;

import io.github.cspipeline.model.Traceparent;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Spans from a W3C {@code traceparent} kept with a transfer. A transfer is taken in from a Kafka
 * record and worked on later, on a thread of its own, possibly after a restart on another instance:
 * no observation scope reaches there. So the record's context is kept with the transfer (as a
 * {@code traceparent} string), and each span of work on it is opened from that context explicitly
 * through the propagator. Requests to Cryptshare made in such a span's scope send its {@code
 * traceparent} to Cryptshare, and are spans of their own when sampled ({@link
 * CryptshareRequestTracing}).
 *
 * <p>The context travels whether or not its trace is sampled: an unsampled context makes unsampled
 * spans with new span ids, and is propagated with its flags as they are.
 */
public final class StoredTraceContext {

  /** Tracing off: no spans; records carry the kept context unchanged. */
  public static final StoredTraceContext NOOP =
      new StoredTraceContext(Tracer.NOOP, Propagator.NOOP);

  private final Tracer tracer;
  private final Propagator propagator;

  public StoredTraceContext(Tracer tracer, Propagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /**
   * The context to keep with a transfer taken in: the record's own, when valid; otherwise that of a
   * new trace, started with a short root span ({@code rootSpan} names and tags it), so that the
   * transfer's spans and events form one trace, also after a restart. Null only when tracing is off
   * and the record had none.
   *
   * @param traceparent the record's {@code traceparent}, if any
   */
  public @Nullable String keep(@Nullable String traceparent, UnaryOperator<Span.Builder> rootSpan) {
    var valid = Traceparent.parse(traceparent);
    if (valid.isPresent()) {
      return valid.get().toString();
    }
    var span = rootSpan.apply(tracer.spanBuilder().setNoParent()).start();
    try {
      return traceparentOf(span, null);
    } finally {
      span.end();
    }
  }

  /**
   * A span builder whose span is a child of the kept context, or the root of a new trace when there
   * is no valid one. The caller names and starts the span, puts it in scope ({@link #inScope}) and
   * ends it.
   */
  public Span.Builder childOf(@Nullable String traceparent) {
    var parent = Traceparent.parse(traceparent);
    return parent.isPresent()
        ? propagator.extract(
            Map.of(Traceparent.HEADER, parent.get().toString()), StoredTraceContext::get)
        : tracer.spanBuilder().setNoParent();
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
    var traceparent = traceparent(span);
    return traceparent != null ? traceparent : fallback;
  }

  /**
   * The W3C {@code traceparent} of {@code span}, written directly: the propagator allocates a
   * carrier and walks its fields per call (once per transfer and per Cryptshare request), and the
   * pipeline's records and requests carry W3C context whatever else is configured (ADR 020). Null
   * for a span without ids (tracing off).
   */
  static @Nullable String traceparent(Span span) {
    var context = span.context();
    var traceId = context.traceId();
    var spanId = context.spanId();
    if (traceId.length() != 32 || spanId.length() != 16) {
      return null;
    }
    return "00-"
        + traceId
        + "-"
        + spanId
        + (Boolean.TRUE.equals(context.sampled()) ? "-01" : "-00");
  }

  /** The span in scope on this thread, if any. */
  public @Nullable Span currentSpan() {
    return tracer.currentSpan();
  }

  private static @Nullable String get(Map<String, String> carrier, String key) {
    return carrier.get(key);
  }
}

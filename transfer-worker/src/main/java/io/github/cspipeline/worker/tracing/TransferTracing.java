package io.github.cspipeline.worker.tracing;

import io.github.cspipeline.cryptshare.tracing.StoredTraceContext;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.worker.state.TransferProgress;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.jspecify.annotations.Nullable;

/**
 * The spans of a transfer. Its command is taken in by the Kafka listener, but the transfer is
 * worked on later, on a virtual thread of its own, and its decision is published by the
 * transactional writer's thread, possibly after a restart on another instance: no observation scope
 * reaches there. So the command's W3C {@code traceparent} is kept with the transfer's progress (on
 * the state topic, while it is pending), and the span of the work is opened from it explicitly
 * ({@link StoredTraceContext}, shared with the status-poller). Requests to Cryptshare made in that
 * span's scope send its {@code traceparent} (and are client spans of their own when the trace is
 * sampled: {@code CryptshareRequestTracing}), and the decision carries the span's own {@code
 * traceparent}.
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

  private final StoredTraceContext context;

  public TransferTracing(Tracer tracer, Propagator propagator) {
    this.context = new StoredTraceContext(tracer, propagator);
  }

  /**
   * The trace context to keep with a command taken in: its own, when valid; otherwise that of a new
   * trace, started with a short intake span, so that the transfer's spans and events (also after a
   * restart) form one trace. Null only when tracing is off and the command had none.
   *
   * @param header the command record's {@code traceparent} header, if any
   */
  public @Nullable String intake(@Nullable String header, FinalizeCommand command) {
    return context.keep(
        header,
        root ->
            root.name(INTAKE_SPAN)
                .kind(Span.Kind.CONSUMER)
                .tag("cryptshare.server", command.server())
                .tag("cryptshare.tracking_id", command.trackingId()));
  }

  /**
   * Starts the span of a transfer's work: a child of the context kept with it, or the root of a new
   * trace when it has none. The caller puts it in scope ({@link #inScope}) and ends it.
   */
  public Span startWork(TransferProgress progress, boolean resumed) {
    return context
        .childOf(progress.traceparent())
        .name(WORK_SPAN)
        .kind(Span.Kind.CONSUMER)
        .tag("cryptshare.server", progress.server())
        .tag("cryptshare.tracking_id", progress.trackingId())
        .tag("cryptshare.resumed", Boolean.toString(resumed))
        .start();
  }

  /** Makes {@code span} the current span of this thread until the scope is closed. */
  public Tracer.SpanInScope inScope(Span span) {
    return context.inScope(span);
  }

  /**
   * The {@code traceparent} of records sent in {@code span}, or {@code fallback} when tracing is
   * off.
   */
  public @Nullable String traceparentOf(Span span, @Nullable String fallback) {
    return context.traceparentOf(span, fallback);
  }
}

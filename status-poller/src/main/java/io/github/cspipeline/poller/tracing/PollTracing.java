package io.github.cspipeline.poller.tracing;

import io.github.cspipeline.cryptshare.tracing.StoredTraceContext;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The poller's spans. A watch keeps the W3C {@code traceparent} of its transfer's {@code
 * PROCESSING} event (on the watch topic too, so it survives a takeover); every poll of the watch
 * runs in a span opened from it on the poll's own thread ({@link StoredTraceContext}, shared with
 * the worker). The requests to Cryptshare made in that span carry its trace context ({@code
 * CryptshareRequestTracing}, which sends {@code traceparent} to Cryptshare), log lines written in
 * it carry its ids, and a terminal event published from it carries its {@code traceparent}: the
 * journal's writer thread, which sends the event, has no scope of its own.
 *
 * <p>A sweep of a sender's transfer list serves many watches at once. It runs in a span {@value
 * #SWEEP_SPAN}, a child of the context of the watch that triggered it, and its list requests are
 * children of that span; each watch the list settles is then acted on in a poll span of its own
 * trace, linked to the sweep's span.
 *
 * <p>Unsampled contexts make unsampled spans with new span ids and travel with their flags as they
 * are.
 */
public final class PollTracing {

  /** The span of one poll of one watch: its status request and what follows from the answer. */
  public static final String POLL_SPAN = "cryptshare.poller.poll";

  /** The span of one sweep of a sender's transfer list (its list requests). */
  public static final String SWEEP_SPAN = "cryptshare.poller.sweep";

  /** The root span a watch without a valid trace context gets when it starts (or is resumed). */
  public static final String WATCH_SPAN = "cryptshare.poller.watch";

  /** Tracing off: no spans; events carry the context kept with their watch unchanged. */
  public static final PollTracing NOOP = new PollTracing(Tracer.NOOP, Propagator.NOOP);

  /** {@code 00-<32 hex>-<16 hex>-<2 hex>}. */
  private static final int TRACEPARENT_LENGTH = 55;

  private final StoredTraceContext context;

  public PollTracing(Tracer tracer, Propagator propagator) {
    this.context = new StoredTraceContext(tracer, propagator);
  }

  /**
   * The trace context to keep with a watch: its event's, when valid; otherwise that of a new trace,
   * started with a short root span {@value #WATCH_SPAN}, so that its polls and its terminal event
   * form one trace. Null only when tracing is off and the event had none.
   */
  public @Nullable String keep(@Nullable String traceparent, String server, String trackingId) {
    return context.keep(
        traceparent,
        root ->
            root.name(WATCH_SPAN)
                .kind(Span.Kind.CONSUMER)
                .tag("cryptshare.server", server)
                .tag("cryptshare.tracking_id", trackingId));
  }

  /**
   * Runs {@code work} in a poll span of the watch's trace (a child of {@code traceparent}, or a new
   * trace's root without one), on this thread, and ends the span.
   *
   * @param sweep the span of the sweep whose list settled the watch, linked from the poll span;
   *     null for a poll by a status request of its own
   */
  public void poll(
      @Nullable String traceparent,
      String server,
      String trackingId,
      @Nullable Span sweep,
      Runnable work) {
    var builder = context.childOf(traceparent).name(POLL_SPAN);
    // With one trace in ten sampled (the default), most polls continue an unsampled trace: their
    // span is not recorded, so tags and links would be built for nothing. The span itself stays: it
    // gives the status request and the
    // terminal event their own span ids in the transfer's trace, sampled or not (ADR 020).
    if (!unsampled(traceparent)) {
      builder =
          builder
              .tag("cryptshare.server", server)
              .tag("cryptshare.tracking_id", trackingId)
              .tag("cryptshare.poll.mode", sweep == null ? "single" : "bulk");
      if (sweep != null) {
        builder = builder.addLink(new Link(sweep));
      }
    }
    inScope(
        builder.start(),
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * Whether {@code traceparent} is a version 00 context whose sampled flag is clear, read from its
   * last digit without parsing the whole value (that is {@link StoredTraceContext#childOf}'s job).
   * Anything else counts as possibly sampled.
   */
  static boolean unsampled(@Nullable String traceparent) {
    if (traceparent == null
        || traceparent.length() != TRACEPARENT_LENGTH
        || !traceparent.startsWith("00-")) {
      return false;
    }
    int flags = Character.digit(traceparent.charAt(TRACEPARENT_LENGTH - 1), 16);
    return flags >= 0 && (flags & 1) == 0;
  }

  /**
   * Starts the span of a sweep of a sender's list, a child of the trigger watch's context; the
   * caller runs the sweep in it ({@link #inScope}), which ends it.
   */
  public Span startSweep(@Nullable String triggerTraceparent, String server, String trackingId) {
    return context
        .childOf(triggerTraceparent)
        .name(SWEEP_SPAN)
        .tag("cryptshare.server", server)
        .tag("cryptshare.tracking_id", trackingId)
        .start();
  }

  /** Runs {@code work} with {@code span} current on this thread, then ends the span. */
  public <T> T inScope(Span span, Supplier<T> work) {
    try (var scope = context.inScope(span)) {
      return work.get();
    } catch (RuntimeException | Error e) {
      span.error(e);
      throw e;
    } finally {
      span.end();
    }
  }

  /**
   * The {@code traceparent} of a record sent now: that of the span current on this thread (a poll
   * span), or {@code fallback} when there is none or tracing is off.
   */
  public @Nullable String traceparentHere(@Nullable String fallback) {
    var span = context.currentSpan();
    return span == null ? fallback : context.traceparentOf(span, fallback);
  }
}

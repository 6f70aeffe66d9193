package io.github.cspipeline.cryptshare.tracing;

import io.github.cspipeline.cryptshare.HttpAnswer;
import io.github.cspipeline.cryptshare.RequestInterceptor;
import io.github.cspipeline.model.Traceparent;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.core5.http.ClassicHttpRequest;

/**
 * Trace context for requests to Cryptshare, without a per-request observation: the {@code
 * RestClient}'s observation (a timer, a span and a propagator call on every request, sampled or
 * not) cost about as much CPU as the request itself (issue 12, ADR 030). Every request still sends
 * the {@code traceparent} of the span in scope; a client span of its own, a child of that span, is
 * made only when the trace is sampled, i.e. when it is recorded and someone can see it. The {@code
 * http.client.requests} metric goes with the observation; the callers' own timers measure the
 * Cryptshare calls (e.g. {@code cryptshare.worker.finalize.call}).
 */
public final class CryptshareRequestTracing implements RequestInterceptor {

  /** Name of the client span of a sampled request. */
  public static final String SPAN_NAME = "cryptshare.request";

  private final Tracer tracer;

  public CryptshareRequestTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public HttpAnswer intercept(ClassicHttpRequest request, Exchange exchange) throws IOException {
    var current = tracer.currentSpan();
    if (current == null || !Boolean.TRUE.equals(current.context().sampled())) {
      // Unsampled: nothing is recorded, so a span object of its own would only cost. The request
      // still gets a span id of its own (a random one in its traceparent), as a recorded request
      // would: the request and what its caller does next (e.g. the poller's terminal event) stay
      // distinct positions in the trace, and the decision not to record travels with it.
      var traceparent = current == null ? null : StoredTraceContext.traceparent(current);
      if (traceparent != null) {
        request.setHeader(Traceparent.HEADER, withOwnSpanId(traceparent));
      }
      return exchange.send(request);
    }
    var method = request.getMethod();
    var span =
        tracer
            .spanBuilder()
            .setParent(current.context())
            .name("http " + method.toLowerCase(Locale.ROOT))
            .kind(Span.Kind.CLIENT)
            .tag("http.request.method", method)
            .tag("server.address", String.valueOf(request.getAuthority().getHostName()))
            .tag("url.path", pathOf(request.getPath()))
            .start();
    try {
      var traceparent = StoredTraceContext.traceparent(span);
      if (traceparent != null) {
        request.setHeader(Traceparent.HEADER, traceparent);
      }
      var answer = exchange.send(request);
      span.tag("http.response.status_code", Integer.toString(answer.status()));
      return answer;
    } catch (IOException | RuntimeException e) {
      span.error(e);
      throw e;
    } finally {
      span.end();
    }
  }

  private static String pathOf(String pathAndQuery) {
    int query = pathAndQuery.indexOf('?');
    return query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
  }

  /** {@code traceparent} ({@code 00-<trace>-<span>-<flags>}) with a new random span id. */
  static String withOwnSpanId(String traceparent) {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0); // all zeros is not a valid span id
    var spanId = HexFormat.of().toHexDigits(id);
    return traceparent.substring(0, 36) + spanId + traceparent.substring(52);
  }
}

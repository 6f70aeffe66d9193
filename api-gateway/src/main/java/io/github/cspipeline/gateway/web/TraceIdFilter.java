package io.github.cspipeline.gateway.web;

import io.micrometer.tracing.Tracer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tells the caller the trace its request belongs to, as {@code X-Trace-Id} (32 hex digits) on every
 * answer, refusals included: the caller's own trace when it sent a {@code traceparent}, else the
 * one the gateway started. Runs inside Spring's server observation, after it took the caller's
 * context in (ADR 020).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 50)
class TraceIdFilter extends OncePerRequestFilter {

  /** The response header with the request's trace id. */
  static final String HEADER = "X-Trace-Id";

  private final Tracer tracer;

  TraceIdFilter(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    var span = tracer.currentSpan();
    if (span != null) {
      response.setHeader(HEADER, span.context().traceId());
    }
    chain.doFilter(request, response);
  }
}

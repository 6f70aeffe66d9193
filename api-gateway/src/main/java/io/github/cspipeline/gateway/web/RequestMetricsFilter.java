package io.github.cspipeline.gateway.web;

import io.github.cspipeline.gateway.error.Outcomes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every request as {@code cryptshare.gateway.requests{route,outcome}}, also those refused
 * before Spring MVC (no credential, rate limit, body size). Routes are the API's three plus {@code
 * actuator} and {@code other}, so the tags stay few.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 100)
class RequestMetricsFilter extends OncePerRequestFilter {

  private static final Pattern TRANSFER = Pattern.compile("/api/v1/transfers/[^/]+");
  private static final Pattern EVENTS = Pattern.compile("/api/v1/transfers/[^/]+/events");

  private final MeterRegistry meters;
  private final java.util.Map<String, Counter> counters =
      new java.util.concurrent.ConcurrentHashMap<>();

  RequestMetricsFilter(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } finally {
      var recorded = Outcomes.get(request);
      var outcome =
          recorded != null
              ? recorded
              : request.isAsyncStarted() ? "streaming" : status(response.getStatus());
      var route = route(request);
      counters
          .computeIfAbsent(
              route + " " + outcome,
              k ->
                  Counter.builder("cryptshare.gateway.requests")
                      .description(
                          "Requests by route and outcome (a problem code, or accepted/repeated/ok)")
                      .tag("route", route)
                      .tag("outcome", outcome)
                      .register(meters))
          .increment();
    }
  }

  private static String route(HttpServletRequest request) {
    var path = request.getRequestURI().substring(request.getContextPath().length());
    var method =
        java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
                .contains(request.getMethod())
            ? request.getMethod()
            : "OTHER";
    if (path.equals("/api/v1/finalizations")) {
      return method + " /api/v1/finalizations";
    }
    if (EVENTS.matcher(path).matches()) {
      return method + " /api/v1/transfers/{trackingId}/events";
    }
    if (TRANSFER.matcher(path).matches()) {
      return method + " /api/v1/transfers/{trackingId}";
    }
    if (path.startsWith("/actuator/")) {
      return "actuator";
    }
    if (path.startsWith("/v3/api-docs")) {
      return "api-docs";
    }
    return "other";
  }

  private static String status(int status) {
    return status < 400 ? "ok" : "http_" + status;
  }
}

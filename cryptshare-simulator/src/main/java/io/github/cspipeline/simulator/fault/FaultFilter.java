package io.github.cspipeline.simulator.fault;

import io.github.cspipeline.simulator.api.ErrorBody;
import io.github.cspipeline.simulator.stats.Endpoint;
import io.github.cspipeline.simulator.stats.RequestStats;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * In front of {@code /api/**}: counts every request, then applies the injected faults. Refused
 * requests never reach a controller; a request whose response is lost does, and its answer is
 * discarded before {@link LostResponseValve} drops the connection.
 */
public class FaultFilter extends OncePerRequestFilter {

  private final FaultInjector faults;
  private final RequestStats stats;
  private final JsonMapper json;

  public FaultFilter(FaultInjector faults, RequestStats stats, JsonMapper json) {
    this.faults = faults;
    this.stats = stats;
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    stats.record(Endpoint.classify(request.getMethod(), path), request.getHeader("traceparent"));
    FaultSettings settings = faults.current();
    delay(settings.latency());
    switch (faults.decide(settings)) {
      case OUTAGE -> {
        stats.fault(RequestStats.Fault.OUTAGE);
        writeError(response, 503, "Service unavailable (simulated outage).", settings);
      }
      case RATE_LIMITED -> {
        stats.fault(RequestStats.Fault.RATE_LIMITED);
        writeError(
            response,
            429,
            "Request rejected because there are too many requests at the same time.",
            settings);
      }
      case INJECTED_ERROR -> {
        stats.fault(RequestStats.Fault.INJECTED_ERROR);
        writeError(response, settings.errorStatus(), "Simulated error.", settings);
      }
      case LOSE_RESPONSE -> {
        stats.fault(RequestStats.Fault.LOST_RESPONSE);
        chain.doFilter(request, new DiscardingResponseWrapper(response));
        LostResponseValve.markForDrop(request);
      }
      case PASS -> chain.doFilter(request, response);
    }
  }

  private void writeError(
      HttpServletResponse response, int status, String message, FaultSettings settings)
      throws IOException {
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    if (status == HttpStatus.TOO_MANY_REQUESTS.value()) {
      response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(settings.retryAfterSeconds()));
    }
    response
        .getOutputStream()
        .write(json.writeValueAsBytes(new ErrorBody(errorCode(status), message)));
  }

  /** The Cryptshare error code that usually comes with a status. */
  static int errorCode(int status) {
    return switch (status) {
      case 400 -> 1004;
      case 401 -> 3002;
      case 403 -> 3001;
      case 404 -> 2003;
      case 409 -> 2001;
      case 429 -> 2007;
      default -> status >= 500 ? 5000 : 1004;
    };
  }

  private static void delay(Duration latency) {
    if (latency.isZero()) {
      return;
    }
    try {
      Thread.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

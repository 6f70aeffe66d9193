package io.github.cspipeline.simulator.fault;

import io.github.cspipeline.simulator.api.ErrorBody;
import io.github.cspipeline.simulator.stats.Endpoint;
import io.github.cspipeline.simulator.stats.FinalizeOutcome;
import io.github.cspipeline.simulator.stats.RequestStats;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * In front of {@code /api/**}: counts every request, then applies the injected faults, and counts
 * how each finalize ended ({@link FinalizeOutcome}). Refused requests never reach a controller; a
 * request whose response is lost does, and its answer is discarded before {@link LostResponseValve}
 * drops the connection.
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
    Endpoint.Classified classified = Endpoint.classify(request.getMethod(), path);
    stats.record(classified, request.getHeader("traceparent"));
    // The tracking id whose finalize outcome this request counts, if it is a finalize.
    String finalizeOf = classified.endpoint() == Endpoint.FINALIZE ? classified.trackingId() : null;
    FaultSettings settings = faults.current();
    delay(settings.latency());
    switch (faults.decide(settings)) {
      case OUTAGE -> {
        stats.fault(RequestStats.Fault.OUTAGE);
        refuse(response, 503, "Service unavailable (simulated outage).", settings, finalizeOf);
      }
      case RATE_LIMITED -> {
        stats.fault(RequestStats.Fault.RATE_LIMITED);
        refuse(
            response,
            429,
            "Request rejected because there are too many requests at the same time.",
            settings,
            finalizeOf);
      }
      case INJECTED_ERROR -> {
        stats.fault(RequestStats.Fault.INJECTED_ERROR);
        refuse(response, settings.errorStatus(), "Simulated error.", settings, finalizeOf);
      }
      case LOSE_RESPONSE -> {
        stats.fault(RequestStats.Fault.LOST_RESPONSE);
        DiscardingResponseWrapper discarding = new DiscardingResponseWrapper(response);
        try {
          chain.doFilter(request, discarding);
        } finally {
          finalizeEnded(finalizeOf, request, true, discarding.getStatus());
          LostResponseValve.markForDrop(request);
        }
      }
      case PASS -> {
        if (finalizeOf == null) {
          chain.doFilter(request, response);
        } else {
          passFinalize(request, response, chain, finalizeOf);
        }
      }
    }
  }

  /**
   * Lets a finalize through with its answer held back until its outcome is counted: a caller that
   * reads the counts right after the answer then sees this call in them.
   */
  private void passFinalize(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      String trackingId)
      throws ServletException, IOException {
    ContentCachingResponseWrapper held = new ContentCachingResponseWrapper(response);
    try {
      chain.doFilter(request, held);
    } finally {
      finalizeEnded(trackingId, request, false, held.getStatus());
    }
    held.copyBodyToResponse();
  }

  private void finalizeEnded(
      @Nullable String trackingId, HttpServletRequest request, boolean answerLost, int status) {
    if (trackingId != null) {
      stats.finalizeEnded(
          trackingId, FinalizeOutcome.of(FinalizeOutcome.tookEffect(request), answerLost, status));
    }
  }

  private void refuse(
      HttpServletResponse response,
      int status,
      String message,
      FaultSettings settings,
      @Nullable String finalizeOf)
      throws IOException {
    if (finalizeOf != null) {
      stats.finalizeEnded(finalizeOf, FinalizeOutcome.of(false, false, status));
    }
    writeError(response, status, message, settings);
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

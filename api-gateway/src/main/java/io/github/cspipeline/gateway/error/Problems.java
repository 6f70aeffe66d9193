package io.github.cspipeline.gateway.error;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/** Builds the gateway's RFC 9457 problem bodies: a stable {@code code} and a matching type. */
public final class Problems {

  private Problems() {}

  public static ProblemDetail of(HttpStatusCode status, String code, String detail) {
    var problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create("urn:cryptshare-pipeline:problem:" + code));
    problem.setProperty("code", code);
    return problem;
  }

  /**
   * A problem answer with its content type fixed, so that it is written as problem+json whatever
   * the request accepts (a caller with a bad Accept header still learns what went wrong).
   */
  static <T> ResponseEntity<T> answer(
      HttpServletRequest request,
      HttpStatusCode status,
      String code,
      String detail,
      @Nullable Duration retryAfter) {
    Outcomes.set(request, code);
    var problem = of(status, code, detail);
    setInstance(problem, request);
    var response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (retryAfter != null) {
      response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds(retryAfter));
    }
    @SuppressWarnings("unchecked")
    var body = (T) problem;
    return response.body(body);
  }

  /** Writes a problem directly, for filters that answer before Spring MVC is involved. */
  public static void write(
      JsonMapper json,
      HttpServletRequest request,
      HttpServletResponse response,
      HttpStatusCode status,
      String code,
      String detail,
      @Nullable Duration retryAfter)
      throws IOException {
    Outcomes.set(request, code);
    var problem = of(status, code, detail);
    setInstance(problem, request);
    response.setStatus(status.value());
    if (retryAfter != null) {
      response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds(retryAfter));
    }
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), problem);
  }

  private static void setInstance(ProblemDetail problem, HttpServletRequest request) {
    var uri = request.getAttribute(jakarta.servlet.RequestDispatcher.ERROR_REQUEST_URI);
    try {
      problem.setInstance(URI.create(uri instanceof String path ? path : request.getRequestURI()));
    } catch (IllegalArgumentException e) {
      // A path that is no valid URI is simply not echoed.
    }
  }

  /** Whole seconds, rounded up, at least one: a client must not retry at once. */
  static String retryAfterSeconds(Duration wait) {
    long millis = wait.toMillis();
    return Long.toString(Math.max(1, (millis + 999) / 1000));
  }
}

package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.api.ApiException;
import io.github.cspipeline.simulator.api.ApiHeaderInterceptor;
import io.github.cspipeline.simulator.api.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves the two requests of every pipeline transfer, finalize and status, past Spring MVC's
 * dispatch, which costs more CPU than the rest of such a request (issue 12). It calls the same
 * {@link TransferController} methods and writes what the dispatcher would write, so the answer is
 * the same byte for byte; it takes only the plain successful case: a request with anything unusual
 * (query string, escaped or odd path characters, a header only as a query parameter, an {@code
 * Accept} other than JSON, a form body) and a request that fails go the usual way, through the
 * dispatcher, the interceptor and the error handler. A failed finalize or status has no effect, so
 * doing it twice changes nothing.
 */
public final class TransferFastLane extends HttpFilter {

  private static final String API_USERS = "/api/users/";
  private static final String SESSIONS = "transfer-sessions";
  private static final String TRANSFERS = "transfers";
  private static final String JSON = MediaType.APPLICATION_JSON_VALUE;

  private final TransferController transfers;
  private final ApiHeaderInterceptor headers;
  private final JsonMapper json;

  public TransferFastLane(
      TransferController transfers, ApiHeaderInterceptor headers, JsonMapper json) {
    this.transfers = transfers;
    this.headers = headers;
    this.json = json;
  }

  /** A finalize ({@code POST}) or status ({@code GET}) request this lane may serve. */
  record Route(boolean post, String sender, String trackingId) {}

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Route route = plain(request) ? route(request.getMethod(), path(request)) : null;
    if (route == null || !serve(route, request, response)) {
      chain.doFilter(request, response);
    }
  }

  /**
   * @return false, with nothing written, when the request failed
   */
  private boolean serve(Route route, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    try {
      Caller caller = headers.caller(request, false);
      if (route.post()) {
        ResponseEntity<Void> answer =
            transfers.finalizeSession(caller, route.sender(), route.trackingId(), request);
        response.setStatus(answer.getStatusCode().value());
        answer
            .getHeaders()
            .forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
      } else {
        byte[] body =
            json.writeValueAsBytes(
                transfers.status(caller, route.sender(), route.trackingId(), request));
        response.setContentType(JSON);
        response.getOutputStream().write(body);
      }
      return true;
    } catch (ApiException e) {
      return false;
    }
  }

  /**
   * Whether the dispatcher would answer with JSON and read nothing but the headers: no query string
   * (a header missing from the request would be looked for there), no form body, JSON acceptable
   * without content negotiation.
   */
  private static boolean plain(HttpServletRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    String contentType = request.getContentType();
    return request.getQueryString() == null
        && (accept == null || accept.equals("*/*") || accept.equals(JSON))
        && (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("form"))
        && present(request, ApiHeaderInterceptor.MAJOR_VERSION)
        && present(request, ApiHeaderInterceptor.MINIMUM_MINOR_VERSION)
        && present(request, ApiHeaderInterceptor.CLIENT_ID)
        && present(request, ApiHeaderInterceptor.VERIFICATION_TOKEN);
  }

  private static boolean present(HttpServletRequest request, String header) {
    String value = request.getHeader(header);
    return value != null && !value.isEmpty();
  }

  private static String path(HttpServletRequest request) {
    return request.getRequestURI().substring(request.getContextPath().length());
  }

  /**
   * {@code POST /api/users/{sender}/transfer-sessions/{trackingId}} or {@code GET
   * /api/users/{sender}/transfers/{trackingId}} with nothing in the path to decode or strip.
   */
  static @Nullable Route route(String method, String path) {
    boolean post = method.equals("POST");
    if (!(post || method.equals("GET")) || !path.startsWith(API_USERS) || !isPlain(path)) {
      return null;
    }
    String kind = post ? SESSIONS : TRANSFERS;
    int senderEnd = path.indexOf('/', API_USERS.length());
    int kindEnd = senderEnd + 1 + kind.length();
    if (senderEnd <= API_USERS.length()
        || !path.startsWith(kind, senderEnd + 1)
        || kindEnd >= path.length() - 1
        || path.charAt(kindEnd) != '/'
        || path.indexOf('/', kindEnd + 1) >= 0) {
      return null;
    }
    return new Route(
        post, path.substring(API_USERS.length(), senderEnd), path.substring(kindEnd + 1));
  }

  /** Printable ASCII without the characters Spring decodes or strips from a path. */
  private static boolean isPlain(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '%' || c == ';') {
        return false;
      }
    }
    return true;
  }
}

package io.github.cspipeline.gateway.security;

import io.github.cspipeline.gateway.error.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requires {@code Authorization: Bearer <api-key or JWT>} on everything the public port serves,
 * applies the caller's rate limit, and makes the {@link Caller} available to the controllers. Scope
 * (server, sender) is checked where the server and sender are known.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 200)
public class AuthenticationFilter extends OncePerRequestFilter {

  static final String CALLER_ATTRIBUTE = Caller.class.getName();
  private static final String BEARER = "Bearer ";

  private final ApiKeys apiKeys;
  private final JwtAuthenticator jwt;
  private final RateLimiter rateLimiter;
  private final JsonMapper json;

  AuthenticationFilter(
      ApiKeys apiKeys, JwtAuthenticator jwt, RateLimiter rateLimiter, JsonMapper json) {
    this.apiKeys = apiKeys;
    this.jwt = jwt;
    this.rateLimiter = rateLimiter;
    this.json = json;
  }

  /** The caller of the current request, set by this filter. */
  public static Caller caller(HttpServletRequest request) {
    return (Caller) request.getAttribute(CALLER_ATTRIBUTE);
  }

  /**
   * Actuator is served on the management port, which this filter does not guard (ADR 026); the
   * public port serves none of it. Should a deployment put management back on the public port
   * ({@code management.server.port=8080}), only health and its probe groups are open there and
   * every other actuator endpoint needs a credential like the API.
   */
  private static final Set<String> OPEN_PATHS =
      Set.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    var path = request.getRequestURI().substring(request.getContextPath().length());
    return OPEN_PATHS.contains(path);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    var caller = authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (caller.isEmpty()) {
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
      Problems.write(
          json,
          request,
          response,
          HttpStatus.UNAUTHORIZED,
          "UNAUTHENTICATED",
          "Send a valid API key or token as 'Authorization: Bearer <credential>'",
          null);
      return;
    }
    var wait = rateLimiter.acquire(caller.get());
    if (wait.isPresent()) {
      Problems.write(
          json,
          request,
          response,
          HttpStatus.TOO_MANY_REQUESTS,
          "RATE_LIMITED",
          "Too many requests for this credential; retry after the time in Retry-After",
          wait.get());
      return;
    }
    request.setAttribute(CALLER_ATTRIBUTE, caller.get());
    chain.doFilter(request, response);
  }

  private Optional<Caller> authenticate(String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    var credential = header.substring(BEARER.length()).trim();
    if (credential.isEmpty()) {
      return Optional.empty();
    }
    var caller = apiKeys.authenticate(credential);
    if (caller.isEmpty()
        && jwt.enabled()
        && credential.chars().filter(c -> c == '.').count() == 2) {
      caller = jwt.authenticate(credential);
    }
    return caller;
  }
}

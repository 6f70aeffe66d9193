package io.github.cspipeline.gateway.security;

import io.github.cspipeline.gateway.error.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requires {@code Authorization: Bearer <api-key>} on everything but the actuator's health and info
 * endpoints, and makes the {@link Caller} available to the controllers.
 */
@Component
public class ApiKeyFilter extends OncePerRequestFilter {

  static final String CALLER_ATTRIBUTE = Caller.class.getName();
  private static final String BEARER = "Bearer ";

  private final ApiKeys apiKeys;
  private final JsonMapper json;

  public ApiKeyFilter(ApiKeys apiKeys, JsonMapper json) {
    this.apiKeys = apiKeys;
    this.json = json;
  }

  /** The caller of the current request, set by this filter. */
  public static Caller caller(HttpServletRequest request) {
    return (Caller) request.getAttribute(CALLER_ATTRIBUTE);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    var path = request.getRequestURI().substring(request.getContextPath().length());
    return path.equals("/actuator/health")
        || path.startsWith("/actuator/health/")
        || path.equals("/actuator/info");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    var header = request.getHeader(HttpHeaders.AUTHORIZATION);
    var caller =
        header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? apiKeys.authenticate(header.substring(BEARER.length()).trim())
            : java.util.Optional.<Caller>empty();
    if (caller.isEmpty()) {
      response.setStatus(HttpStatus.UNAUTHORIZED.value());
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      var problem =
          Problems.of(
              HttpStatus.UNAUTHORIZED,
              "UNAUTHENTICATED",
              "Send a valid API key as 'Authorization: Bearer <key>'");
      problem.setInstance(java.net.URI.create(request.getRequestURI()));
      json.writeValue(response.getOutputStream(), problem);
      return;
    }
    request.setAttribute(CALLER_ATTRIBUTE, caller.get());
    chain.doFilter(request, response);
  }
}

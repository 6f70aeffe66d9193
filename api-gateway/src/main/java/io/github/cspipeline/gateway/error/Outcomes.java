package io.github.cspipeline.gateway.error;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a request for the request metrics: {@code accepted}, {@code repeated}, {@code ok}
 * or the lower-case problem code. Whoever answers a request records it here.
 */
public final class Outcomes {

  static final String ATTRIBUTE = Outcomes.class.getName();

  private Outcomes() {}

  public static void set(HttpServletRequest request, String outcome) {
    request.setAttribute(ATTRIBUTE, outcome.toLowerCase(Locale.ROOT));
  }

  public static @Nullable String get(HttpServletRequest request) {
    return (String) request.getAttribute(ATTRIBUTE);
  }
}

package io.github.cspipeline.poller.poll;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Holds every request of the poller to a Cryptshare server to that server's rate cap: installed on
 * the HTTP client, it takes a permit before each request, also for token renewals and list pages.
 * Servers are told apart by origin (scheme, host, port): two server ids on one origin share one
 * cap.
 *
 * <p>The scheduler takes the permit of a poll's first request when it dispatches the poll, so that
 * a poll starts only when it can be sent at once; {@link #prepaid} tells the gate so.
 */
public final class RequestGate implements ClientHttpRequestInterceptor {

  /**
   * Keeps the request rate the server measures under the cap although requests may reach it a
   * little more bunched than they left.
   */
  public static final Duration GUARD = Duration.ofMillis(50);

  private static final ThreadLocal<Boolean> PREPAID = new ThreadLocal<>();

  private final Map<String, RequestRateLimiter> byServer = new HashMap<>();
  private final Map<String, RequestRateLimiter> byOrigin = new HashMap<>();

  public RequestGate(Map<String, URI> baseUrls, int perSecond, Clock clock) {
    baseUrls.forEach(
        (server, baseUrl) -> {
          var limiter =
              byOrigin.computeIfAbsent(
                  origin(baseUrl), o -> new RequestRateLimiter(perSecond, GUARD, clock));
          byServer.put(server, limiter);
        });
  }

  /** The rate limiter of a configured server. */
  public RequestRateLimiter limiter(String server) {
    var limiter = byServer.get(server);
    if (limiter == null) {
      throw new IllegalArgumentException("no Cryptshare server '" + server + "' configured");
    }
    return limiter;
  }

  /** Runs work whose first request uses a permit the caller has already taken. */
  public <T> T prepaid(Supplier<T> work) {
    PREPAID.set(Boolean.TRUE);
    try {
      return work.get();
    } finally {
      PREPAID.remove();
    }
  }

  @Override
  public ClientHttpResponse intercept(
      HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
    if (Boolean.TRUE.equals(PREPAID.get())) {
      PREPAID.set(Boolean.FALSE);
    } else {
      var limiter = byOrigin.get(origin(request.getURI()));
      if (limiter != null) {
        try {
          limiter.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the request rate cap");
        }
      }
    }
    return execution.execute(request, body);
  }

  private static String origin(URI uri) {
    var scheme = lower(uri.getScheme());
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    return scheme + "://" + lower(uri.getHost()) + ":" + port;
  }

  private static String lower(@Nullable String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}

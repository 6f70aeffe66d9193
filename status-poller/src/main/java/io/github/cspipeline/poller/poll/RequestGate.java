package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.HttpAnswer;
import io.github.cspipeline.cryptshare.RequestInterceptor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * Holds every request of the poller to a Cryptshare server to that server's rate cap: installed on
 * the HTTP client, it takes a permit before each request, also for token renewals and list pages.
 * Servers are told apart by origin (scheme, host, port): two server ids on one origin share one
 * cap.
 *
 * <p>The scheduler reserves the permit of a poll's first request when it dispatches the poll, so
 * that a poll starts only when it can be sent at once; the permit itself is taken here, right
 * before the request leaves, so that the spacing holds where it counts ({@link #reserved}).
 */
public final class RequestGate implements RequestInterceptor {

  /**
   * Keeps the request rate the server measures under the cap although requests may reach it a
   * little more bunched than they left: permits are spaced as if a second lasted this much longer.
   */
  public static final Duration GUARD = Duration.ofMillis(100);

  private static final ThreadLocal<RequestRateLimiter> RESERVED = new ThreadLocal<>();

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

  /** Whether the server is configured here; a server that is not has no limiter. */
  public boolean isConfigured(String server) {
    return byServer.containsKey(server);
  }

  /** The rate limiter of a configured server. */
  public RequestRateLimiter limiter(String server) {
    var limiter = byServer.get(server);
    if (limiter == null) {
      throw new IllegalArgumentException("no Cryptshare server '" + server + "' configured");
    }
    return limiter;
  }

  /**
   * Runs work whose first request uses a permit the caller reserved ({@link
   * RequestRateLimiter#tryReserve}); a reservation the work did not use is given back.
   */
  public <T> T reserved(RequestRateLimiter reservation, Supplier<T> work) {
    RESERVED.set(reservation);
    try {
      return work.get();
    } finally {
      if (RESERVED.get() != null) {
        RESERVED.remove();
        reservation.cancelReservation();
      }
    }
  }

  @Override
  public HttpAnswer intercept(ClassicHttpRequest request, Exchange exchange) throws IOException {
    var authority = request.getAuthority();
    var limiter =
        byOrigin.get(
            origin(
                request.getScheme(),
                authority == null ? null : authority.getHostName(),
                authority == null ? -1 : authority.getPort()));
    var reservation = RESERVED.get();
    RESERVED.remove();
    try {
      if (reservation != null && reservation == limiter) {
        reservation.acquireReserved();
      } else {
        if (reservation != null) {
          reservation.cancelReservation();
        }
        if (limiter != null) {
          limiter.acquire();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the request rate cap");
    }
    return exchange.send(request);
  }

  private static String origin(URI uri) {
    return origin(uri.getScheme(), uri.getHost(), uri.getPort());
  }

  private static String origin(@Nullable String scheme, @Nullable String host, int port) {
    var lowerScheme = lower(scheme);
    int effectivePort = port != -1 ? port : "https".equals(lowerScheme) ? 443 : 80;
    return lowerScheme + "://" + lower(host) + ":" + effectivePort;
  }

  private static String lower(@Nullable String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}

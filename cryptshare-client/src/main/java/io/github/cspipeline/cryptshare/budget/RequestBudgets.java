package io.github.cspipeline.cryptshare.budget;

import io.github.cspipeline.cryptshare.HttpAnswer;
import io.github.cspipeline.cryptshare.RequestInterceptor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * The request budget of every configured server. Servers are told apart by origin (scheme, host,
 * port): server ids on one origin share one budget, as they share the server's capacity.
 *
 * <p>Installed on the HTTP client, it takes a permit right before each request leaves, also for
 * token renewals and list pages, so the rate cap holds whatever sends them ({@link
 * RequestBudget.Reservation#use}), and reports each request's end once its answer is in, so that
 * the cap holds as the server counts ({@link RequestRate}).
 */
public final class RequestBudgets implements RequestInterceptor {

  private final Map<String, RequestBudget> byServer = new LinkedHashMap<>();
  private final Map<String, RequestBudget> byOrigin = new LinkedHashMap<>();

  /**
   * @param baseUrls the servers' base URLs by server id
   * @param budgetOf the budget of one origin, from the ids of its servers (in the order given)
   */
  public RequestBudgets(Map<String, URI> baseUrls, Function<List<String>, RequestBudget> budgetOf) {
    var serversByOrigin = new LinkedHashMap<String, List<String>>();
    baseUrls.forEach(
        (server, baseUrl) ->
            serversByOrigin.computeIfAbsent(origin(baseUrl), o -> new ArrayList<>()).add(server));
    serversByOrigin.forEach(
        (origin, servers) -> {
          var budget = budgetOf.apply(List.copyOf(servers));
          byOrigin.put(origin, budget);
          servers.forEach(server -> byServer.put(server, budget));
        });
  }

  /** Whether the server is configured here; a server that is not has no budget. */
  public boolean isConfigured(String server) {
    return byServer.containsKey(server);
  }

  /** The budget of a configured server. */
  public RequestBudget of(String server) {
    var budget = byServer.get(server);
    if (budget == null) {
      throw new IllegalArgumentException("no Cryptshare server '" + server + "' configured");
    }
    return budget;
  }

  /** Every budget once. */
  public Collection<RequestBudget> all() {
    return List.copyOf(byOrigin.values());
  }

  /** Slots taken right now, over all servers. */
  public int inFlight() {
    return byOrigin.values().stream().mapToInt(RequestBudget::inFlight).sum();
  }

  @Override
  public HttpAnswer intercept(ClassicHttpRequest request, Exchange exchange) throws IOException {
    var authority = request.getAuthority();
    var budget =
        byOrigin.get(
            origin(
                request.getScheme(),
                authority == null ? null : authority.getHostName(),
                authority == null ? -1 : authority.getPort()));
    RequestRate.Permit permit;
    try {
      permit = RequestBudget.beforeSend(budget);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the request rate cap");
    }
    try {
      return exchange.send(request);
    } finally {
      // The server counted the request by now (or never will, as far as we can tell): its slot
      // frees a window from now (RequestRate).
      permit.ended();
    }
  }

  /** The origin of a base URL: scheme, host and port, the default port made explicit. */
  public static String origin(URI uri) {
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

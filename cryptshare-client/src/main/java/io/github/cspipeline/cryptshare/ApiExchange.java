package io.github.cspipeline.cryptshare;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Sends requests to one Cryptshare server: the API headers on, through the {@link CallGuard} and
 * the {@link RequestInterceptor}, over Apache HttpClient. It hands back only the expected answers;
 * every other outcome becomes a {@link CryptshareException}.
 */
final class ApiExchange {

  static final String MAJOR_VERSION = "X-CS-MajorApiVersion";
  static final String MINOR_VERSION = "X-CS-MinimumMinorApiVersion";
  static final String CLIENT_ID = "X-CS-ClientId";
  static final String TOKEN = "X-CS-VerificationToken";

  /** An empty body with its length (Content-Length: 0), as RestClient sent it; repeatable. */
  private static final ByteArrayEntity EMPTY_BODY = new ByteArrayEntity(new byte[0], null);

  /** Pooled connections per server; far above any configured concurrency. */
  private static final int MAX_CONNECTIONS = 1024;

  private final String server;
  private final CloseableHttpClient http;
  private final HttpHost host;
  private final RequestInterceptor interceptor;
  private final CallGuard guard;
  private final ErrorAnswers errors;
  private final String minorVersion;
  private final String clientIdOrEmpty;

  ApiExchange(
      String server,
      CryptshareServerProperties properties,
      RequestInterceptor interceptor,
      CallGuard guard,
      ErrorAnswers errors) {
    this.server = server;
    this.interceptor = interceptor;
    this.guard = guard;
    this.errors = errors;
    this.http = httpClient(properties);
    this.host = HttpHost.create(properties.baseUrl());
    this.minorVersion = Integer.toString(properties.apiMinorVersion());
    this.clientIdOrEmpty = properties.clientId() == null ? "" : properties.clientId();
  }

  /**
   * Apache HttpClient 5's minimal classic client, used directly: the JDK client handed every
   * exchange to its selector and worker threads, which cost about a third of the worker's CPU per
   * transfer, and Spring's {@code RestClient} over the full Apache client still cost as much as the
   * exchange itself (issue 12, ADR 030). This one does the exchange on the calling thread and
   * leaves out the full client's execution chain (redirects, retries, authentication, cookies,
   * proxies, content decoding, each a step per request), none of which a Cryptshare call uses:
   * HTTP/1.1, no redirects followed (a 3xx is an answer), no retries of its own (only the callers
   * know whether a request may be repeated), no compression, no proxy. The socket timeout of the
   * pooled connections is the read timeout.
   */
  private static CloseableHttpClient httpClient(CryptshareServerProperties properties) {
    var connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(properties.connectTimeout()))
                    .setSocketTimeout(Timeout.of(properties.readTimeout()))
                    // A connection idle for a while is checked before reuse: one the server closed
                    // meanwhile would otherwise fail the request after it was written, an unknown
                    // outcome.
                    .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                    .build())
            // Concurrency is the callers' to limit (the worker's bulkhead, the poller's
            // scheduler); the pool must not queue requests behind them. Connections are opened as
            // needed, so the ceiling costs nothing.
            .setMaxConnPerRoute(MAX_CONNECTIONS)
            .setMaxConnTotal(MAX_CONNECTIONS)
            .build();
    return HttpClients.createMinimal(connections);
  }

  /** An empty-bodied POST with the API headers. */
  ClassicHttpRequest post(URI uri, String clientId, @Nullable String token) {
    var request = withApiHeaders(new HttpPost(uri), clientId, token);
    request.setEntity(EMPTY_BODY);
    return request;
  }

  /** A POST sent with the configured client id (or an empty one). */
  ClassicHttpRequest post(URI uri, @Nullable String token) {
    return post(uri, clientIdOrEmpty, token);
  }

  /** A GET with the API headers. */
  ClassicHttpRequest get(URI uri, String token) {
    return withApiHeaders(new HttpGet(uri), clientIdOrEmpty, token);
  }

  private ClassicHttpRequest withApiHeaders(
      ClassicHttpRequest request, String clientId, @Nullable String token) {
    request.setHeader(MAJOR_VERSION, "1");
    request.setHeader(MINOR_VERSION, minorVersion);
    request.setHeader(CLIENT_ID, clientId);
    if (token != null) {
      request.setHeader(TOKEN, token);
    }
    return request;
  }

  /** Sends {@code request} under the guard; returns the answer if its status is one expected. */
  HttpAnswer call(ClassicHttpRequest request, int... expected) {
    return guard.call(() -> exchange(request, expected));
  }

  private HttpAnswer exchange(ClassicHttpRequest request, int... expected) {
    HttpAnswer answer;
    try {
      answer = interceptor.intercept(request, this::send);
    } catch (IOException e) {
      throw classify(e);
    }
    for (int ok : expected) {
      if (answer.status() == ok) {
        return answer;
      }
    }
    throw errors.errorResponse(answer);
  }

  private HttpAnswer send(ClassicHttpRequest request) throws IOException {
    try (var response = http.executeOpen(host, request, HttpClientContext.create())) {
      var entity = response.getEntity();
      // Reading the entity to its end hands the connection back to the pool.
      var body = entity == null ? new byte[0] : EntityUtils.toByteArray(entity);
      return new HttpAnswer(
          response.getCode(),
          body,
          headerValue(response, HttpHeaders.LOCATION),
          headerValue(response, HttpHeaders.RETRY_AFTER));
    }
  }

  private static @Nullable String headerValue(ClassicHttpResponse response, String name) {
    var header = response.getFirstHeader(name);
    return header == null ? null : header.getValue();
  }

  private CryptshareException classify(IOException e) {
    // Only a failure to connect proves the request never left; anything after that (read timeout,
    // reset, truncated answer) may have reached the server.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof ConnectTimeoutException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException) {
        return new CryptshareException.Unreachable(server, t);
      }
    }
    return new CryptshareException.OutcomeUnknown(server, e);
  }
}

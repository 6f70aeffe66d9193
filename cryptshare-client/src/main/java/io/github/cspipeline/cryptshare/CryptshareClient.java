package io.github.cspipeline.cryptshare;

import io.github.cspipeline.model.event.Recipient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
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
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to one Cryptshare server. Every HTTP outcome other than the expected success becomes a
 * {@link CryptshareException}, so callers decide on failure classes, never on HTTP details.
 */
public final class CryptshareClient implements CryptshareApi {

  static final String MAJOR_VERSION = "X-CS-MajorApiVersion";
  static final String MINOR_VERSION = "X-CS-MinimumMinorApiVersion";
  static final String CLIENT_ID = "X-CS-ClientId";
  static final String TOKEN = "X-CS-VerificationToken";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final ObjectReader STATUS_READER =
      JSON.readerFor(StatusAnswer.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final int MAX_ERROR_MESSAGE = 500;

  /** An empty body with its length (Content-Length: 0), as RestClient sent it; repeatable. */
  private static final ByteArrayEntity EMPTY_BODY = new ByteArrayEntity(new byte[0], null);

  /**
   * The longest {@code Retry-After} honoured; a longer one (or a date further ahead) counts as this
   * long. One hour: longer than any sensible pause, short enough to end within a retry budget or a
   * watch deadline instead of overflowing them.
   */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private static final int TOKEN_LOCK_STRIPES = 64;

  /** Pooled connections per server; far above any configured concurrency. */
  private static final int MAX_CONNECTIONS = 1024;

  private final String server;
  private final CryptshareServerProperties properties;
  private final CloseableHttpClient http;
  private final HttpHost host;
  private final RequestInterceptor interceptor;
  private final String minorVersion;
  private final String apiBase;
  private final URI resolvingBase;
  private final Clock clock;
  private final CallGuard guard;
  private final ConcurrentHashMap<String, CachedToken> tokens = new ConcurrentHashMap<>();
  // Token requests are HTTP calls: they must not run inside ConcurrentHashMap.compute (which
  // blocks unrelated keys of the same bin and pins virtual threads on JDK 21), so concurrent
  // callers for one sender wait on a lock stripe instead.
  private final ReentrantLock[] tokenLocks = new ReentrantLock[TOKEN_LOCK_STRIPES];

  public CryptshareClient(
      String server,
      CryptshareServerProperties properties,
      RequestInterceptor interceptor,
      Clock clock) {
    this(server, properties, interceptor, clock, CallGuard.NONE);
  }

  /**
   * @param interceptor sees every request on its way out (trace context, rate caps)
   * @param guard wraps every request to this server (token, finalize, status, list)
   */
  public CryptshareClient(
      String server,
      CryptshareServerProperties properties,
      RequestInterceptor interceptor,
      Clock clock,
      CallGuard guard) {
    this.server = server;
    this.properties = properties;
    this.clock = clock;
    this.guard = guard;
    for (int i = 0; i < tokenLocks.length; i++) {
      tokenLocks[i] = new ReentrantLock();
    }
    this.interceptor = interceptor;
    this.http = httpClient(properties);
    var base = properties.baseUrl();
    this.host = HttpHost.create(base);
    this.minorVersion = Integer.toString(properties.apiMinorVersion());
    this.resolvingBase = baseForResolving(base);
    this.apiBase =
        UriComponentsBuilder.fromUri(properties.baseUrl())
            .path("/api")
            .encode()
            .build()
            .toUriString();
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

  @Override
  public String server() {
    return server;
  }

  /**
   * A valid verification token for {@code sender} in client-id mode, from the cache until its
   * refresh time (the refresh margin before it expires, or half its lifetime for short-lived
   * tokens).
   */
  @Override
  public VerificationToken token(String sender) {
    var key = key(sender);
    var cached = usable(tokens.get(key));
    if (cached != null) {
      return cached;
    }
    var lock = tokenLocks[Math.floorMod(key.hashCode(), tokenLocks.length)];
    lock.lock();
    try {
      cached = usable(tokens.get(key));
      if (cached != null) {
        return cached;
      }
      var fresh = requestToken(sender);
      evictExpiredTokens();
      tokens.put(key, new CachedToken(fresh, refreshTime(fresh)));
      return fresh;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a token Cryptshare refused, unless another thread already replaced it. */
  @Override
  public void invalidateToken(String sender, VerificationToken refused) {
    tokens.computeIfPresent(
        key(sender), (k, cached) -> cached.token().equals(refused) ? null : cached);
  }

  /** {@code POST /api/users/{sender}/verification/token} without a code (client-id mode). */
  public VerificationToken requestToken(String sender) {
    var clientId = properties.clientId();
    if (clientId == null) {
      throw new IllegalStateException(
          "Cryptshare server '%s' has no client-id configured; cannot verify %s"
              .formatted(server, sender));
    }
    var answer =
        call(post(apiUri("users", sender, "verification", "token"), clientId, null), 200, 201);
    var token = data(answer);
    var value = token.path("token").asString("");
    if (value.isEmpty()) {
      throw new CryptshareException.ErrorResponse(
          server, answer.status(), null, "token answer without data.token", null);
    }
    var validUntil = parseInstant(token.path("validUntil").asString(""));
    return new VerificationToken(
        value, validUntil == null ? clock.instant().plus(Duration.ofMinutes(10)) : validUntil);
  }

  /**
   * {@code POST /api/users/{sender}/transfer-sessions/{trackingId}}: finalizes the session.
   *
   * @return the transfer's status URL, resolved against the server and checked to stay inside its
   *     origin
   */
  @Override
  public URI finalizeSession(String sender, String trackingId, String token) {
    var answer =
        call(
            post(
                apiUri("users", sender, "transfer-sessions", trackingId), clientIdOrEmpty(), token),
            201,
            200);
    var location = answer.location();
    if (location == null) {
      // Cryptshare always sends Location on 201; without it the status URL is still known.
      return apiUri("users", sender, "transfers", trackingId);
    }
    return resolveStatusUrl(location);
  }

  /** {@code GET} of a status URL (from {@link #resolveStatusUrl}). */
  @Override
  public TransferStatus transferStatus(URI statusUrl, String token) {
    requireInsideOrigin(statusUrl);
    var answer = call(get(statusUrl, token), 200);
    return statusOf(answer.body());
  }

  /**
   * The status answer bound to records rather than read as a tree: the answer also carries the
   * whole transfer (settings, files, recipients), which a tree would build node by node on every
   * poll; binding skips it (issue 12: the tree was a tenth of the poller's CPU). An answer that
   * does not bind (a field of an unexpected type) is read as a tree, leniently, as before.
   */
  static TransferStatus statusOf(byte[] body) {
    StatusAnswer.Status status;
    try {
      var answer = body.length == 0 ? null : STATUS_READER.<StatusAnswer>readValue(body);
      status = answer == null || answer.data() == null ? null : answer.data().status();
    } catch (JacksonException unexpectedShape) {
      return statusOfTree(parse(body).path("data").path("status"));
    }
    if (status == null) {
      return new TransferStatus("UNKNOWN", false, List.of());
    }
    var recipients = new ArrayList<Recipient>();
    if (status.recipients() != null) {
      for (var r : status.recipients()) {
        if (r == null) {
          continue;
        }
        var downloadUrl = r.downloadUrl();
        recipients.add(
            new Recipient(
                r.mail() == null ? "" : r.mail(),
                downloadUrl == null || downloadUrl.isEmpty() ? null : URI.create(downloadUrl),
                Boolean.TRUE.equals(r.notificationFailed())));
      }
    }
    return new TransferStatus(
        status.state() == null ? "UNKNOWN" : status.state(),
        Boolean.TRUE.equals(status.warnings()),
        recipients);
  }

  private static TransferStatus statusOfTree(JsonNode status) {
    var recipients = new ArrayList<Recipient>();
    for (JsonNode r : status.path("recipients")) {
      var downloadUrl = r.path("downloadUrl").asString("");
      recipients.add(
          new Recipient(
              r.path("mail").asString(""),
              downloadUrl.isEmpty() ? null : URI.create(downloadUrl),
              r.path("notificationFailed").asBoolean(false)));
    }
    return new TransferStatus(
        status.path("state").asString("UNKNOWN"),
        status.path("warnings").asBoolean(false),
        recipients);
  }

  /** The part of a status answer the pipeline reads; the rest is skipped unread. */
  private record StatusAnswer(@Nullable Data data) {
    private record Data(@Nullable Status status) {}

    private record Status(
        @Nullable String state,
        @Nullable Boolean warnings,
        @Nullable List<StatusRecipient> recipients) {}

    private record StatusRecipient(
        @Nullable String mail,
        @Nullable String downloadUrl,
        @Nullable Boolean notificationFailed) {}
  }

  /** The status URL Cryptshare uses for a transfer: {@code /api/users/{sender}/transfers/{id}}. */
  @Override
  public URI statusUrlOf(String sender, String trackingId) {
    return apiUri("users", sender, "transfers", trackingId);
  }

  /** {@code GET /api/users/{sender}/transfers?page=&page-size=} (newest first). */
  @Override
  public List<TransferSummary> listTransfers(String sender, String token, int page, int pageSize) {
    var uri =
        UriComponentsBuilder.fromUri(apiUri("users", sender, "transfers"))
            .queryParam("page", page)
            .queryParam("page-size", pageSize)
            .build(true)
            .toUri();
    var answer = call(get(uri, token), 200);
    var rows = new ArrayList<TransferSummary>();
    for (JsonNode row : data(answer)) {
      rows.add(
          new TransferSummary(
              row.path("trackingId").asString(""), row.path("state").asString("UNKNOWN")));
    }
    return rows;
  }

  /**
   * Resolves a {@code Location} (absolute or relative) against the server's base URL and refuses
   * one that leaves the server's origin.
   */
  public URI resolveStatusUrl(String location) {
    URI resolved;
    try {
      resolved = resolvingBase.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new ForeignLocationException(server, location);
    }
    requireInsideOrigin(resolved);
    return resolved;
  }

  // RFC 3986 merges a relative reference with a base of empty path as if the path were "/"; older
  // JDKs (before 23) do not, and would glue "api/..." onto the port. Made once: the worker
  // resolves every finalize answer's Location against it.
  private static URI baseForResolving(URI base) {
    var path = base.getRawPath();
    if (path != null && !path.isEmpty()) {
      return base;
    }
    return URI.create(base.getScheme() + "://" + base.getRawAuthority() + "/");
  }

  private void requireInsideOrigin(URI url) {
    var base = properties.baseUrl();
    if (!Objects.equals(lower(url.getScheme()), lower(base.getScheme()))
        || !Objects.equals(lower(url.getHost()), lower(base.getHost()))
        || effectivePort(url) != effectivePort(base)
        || url.getRawUserInfo() != null) {
      throw new ForeignLocationException(server, url.toString());
    }
  }

  private record CachedToken(VerificationToken token, Instant refreshAt) {}

  private ClassicHttpRequest post(URI uri, String clientId, @Nullable String token) {
    var request = withApiHeaders(new HttpPost(uri), clientId, token);
    request.setEntity(EMPTY_BODY);
    return request;
  }

  private ClassicHttpRequest get(URI uri, String token) {
    return withApiHeaders(new HttpGet(uri), clientIdOrEmpty(), token);
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

  /** The {@code data} member of an answer's JSON envelope (missing when it has none). */
  private static JsonNode data(HttpAnswer answer) {
    return parse(answer.body()).path("data");
  }

  private HttpAnswer call(ClassicHttpRequest request, int... expected) {
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
    throw errorResponse(answer);
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

  private CryptshareException.ErrorResponse errorResponse(HttpAnswer answer) {
    var body = answer.body();
    Integer errorCode = null;
    String message = new String(body, StandardCharsets.UTF_8);
    try {
      var node = JSON.readTree(body);
      if (node.path("errorCode").isNumber()) {
        errorCode = node.path("errorCode").intValue();
      }
      if (node.path("errorMessage").isString()) {
        message = node.path("errorMessage").stringValue();
      }
    } catch (JacksonException notJson) {
      // A proxy's HTML error page: keep its start as the message.
    }
    if (message.isBlank()) {
      message = "HTTP " + answer.status();
    }
    if (message.length() > MAX_ERROR_MESSAGE) {
      message = message.substring(0, MAX_ERROR_MESSAGE);
    }
    return new CryptshareException.ErrorResponse(
        server, answer.status(), errorCode, message, retryAfter(answer.retryAfter()));
  }

  /**
   * The server's {@code Retry-After}, between zero and {@link #MAX_RETRY_AFTER}: a huge value (or a
   * date far ahead) must not overflow the callers' time arithmetic or park a transfer for years.
   */
  private @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    var value = header.trim();
    if (value.chars().allMatch(Character::isDigit)) {
      // Digits only: seconds, however many digits (Long.parseLong would fail on 20 of them).
      return value.length() > 12
          ? MAX_RETRY_AFTER
          : clamp(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      var at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return clamp(Duration.between(clock.instant(), at));
    } catch (DateTimeParseException | ArithmeticException neither) {
      return null;
    }
  }

  private static Duration clamp(Duration wait) {
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (JacksonException e) {
      return JSON.missingNode();
    }
  }

  // The base is encoded once; a UriComponentsBuilder per request (parse, sanitize, encode the
  // whole URL) showed up in the worker's profile (issue 12). Segments are encoded as pathSegment()
  // does, and empty ones skipped as it does.
  private URI apiUri(String... segments) {
    var uri = new StringBuilder(apiBase.length() + 96).append(apiBase);
    for (var segment : segments) {
      if (!segment.isEmpty()) {
        uri.append('/').append(UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
      }
    }
    return URI.create(uri.toString());
  }

  private @Nullable VerificationToken usable(@Nullable CachedToken cached) {
    return cached != null && clock.instant().isBefore(cached.refreshAt()) ? cached.token() : null;
  }

  private Instant refreshTime(VerificationToken token) {
    var now = clock.instant();
    var beforeMargin = token.validUntil().minus(properties.tokenRefreshMargin());
    // A token that lives shorter than twice the margin is still reused for half its lifetime,
    // instead of being requested anew for every call.
    var halfLife = now.plus(Duration.between(now, token.validUntil()).dividedBy(2));
    return beforeMargin.isAfter(halfLife) ? beforeMargin : halfLife;
  }

  // One entry per sender ever seen would grow without bound; expired ones are useless anyway.
  private void evictExpiredTokens() {
    var now = clock.instant();
    tokens.values().removeIf(cached -> !cached.token().validUntil().isAfter(now));
  }

  private String clientIdOrEmpty() {
    return properties.clientId() == null ? "" : properties.clientId();
  }

  private static String key(String sender) {
    return sender.toLowerCase(Locale.ROOT);
  }

  private static @Nullable Instant parseInstant(String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private static @Nullable String lower(@Nullable String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int effectivePort(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}

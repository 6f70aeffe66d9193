package io.github.cspipeline.cryptshare;

import io.github.cspipeline.model.event.Recipient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
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
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to one Cryptshare server. Every HTTP outcome other than the expected success becomes a
 * {@link CryptshareException}, so callers decide on failure classes, never on HTTP details.
 */
public final class CryptshareClient {

  static final String MAJOR_VERSION = "X-CS-MajorApiVersion";
  static final String MINOR_VERSION = "X-CS-MinimumMinorApiVersion";
  static final String CLIENT_ID = "X-CS-ClientId";
  static final String TOKEN = "X-CS-VerificationToken";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_ERROR_MESSAGE = 500;

  private final String server;
  private final CryptshareServerProperties properties;
  private final RestClient rest;
  private final Clock clock;
  private final ConcurrentHashMap<String, VerificationToken> tokens = new ConcurrentHashMap<>();

  public CryptshareClient(
      String server,
      CryptshareServerProperties properties,
      RestClient.Builder restClientBuilder,
      Clock clock) {
    this.server = server;
    this.properties = properties;
    this.clock = clock;
    var httpClient =
        HttpClient.newBuilder()
            .connectTimeout(properties.connectTimeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    var requestFactory = new JdkClientHttpRequestFactory(httpClient);
    requestFactory.setReadTimeout(properties.readTimeout());
    this.rest =
        restClientBuilder
            .clone()
            .requestFactory(requestFactory)
            .defaultHeader(MAJOR_VERSION, "1")
            .defaultHeader(MINOR_VERSION, Integer.toString(properties.apiMinorVersion()))
            .build();
  }

  public String server() {
    return server;
  }

  /**
   * A valid verification token for {@code sender} in client-id mode, from the cache while it has
   * more than the refresh margin left.
   */
  public VerificationToken token(String sender) {
    var cached = tokens.get(key(sender));
    if (cached != null && isFresh(cached)) {
      return cached;
    }
    // compute() makes concurrent callers for the same sender wait for one token request.
    return tokens.compute(
        key(sender),
        (k, current) -> current != null && isFresh(current) ? current : requestToken(sender));
  }

  /** Forgets a token Cryptshare refused, unless another thread already replaced it. */
  public void invalidateToken(String sender, VerificationToken refused) {
    tokens.remove(key(sender), refused);
  }

  /** {@code POST /api/users/{sender}/verification/token} without a code (client-id mode). */
  public VerificationToken requestToken(String sender) {
    var clientId = properties.clientId();
    if (clientId == null) {
      throw new IllegalStateException(
          "Cryptshare server '%s' has no client-id configured; cannot verify %s"
              .formatted(server, sender));
    }
    var data =
        call(
            rest.post()
                .uri(apiUri("users", sender, "verification", "token"))
                .header(CLIENT_ID, clientId),
            200,
            201);
    var value = data.data().path("token").asString("");
    if (value.isEmpty()) {
      throw new CryptshareException.ErrorResponse(
          server, data.status(), null, "token answer without data.token", null);
    }
    var validUntil = parseInstant(data.data().path("validUntil").asString(""));
    return new VerificationToken(
        value, validUntil == null ? clock.instant().plus(Duration.ofMinutes(10)) : validUntil);
  }

  /**
   * {@code POST /api/users/{sender}/transfer-sessions/{trackingId}}: finalizes the session.
   *
   * @return the transfer's status URL, resolved against the server and checked to stay inside its
   *     origin
   */
  public URI finalizeSession(String sender, String trackingId, String token) {
    var answer =
        call(
            rest.post()
                .uri(apiUri("users", sender, "transfer-sessions", trackingId))
                .header(CLIENT_ID, clientIdOrEmpty())
                .header(TOKEN, token),
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
  public TransferStatus transferStatus(URI statusUrl, String token) {
    requireInsideOrigin(statusUrl);
    var answer =
        call(
            rest.get().uri(statusUrl).header(CLIENT_ID, clientIdOrEmpty()).header(TOKEN, token),
            200);
    var status = answer.data().path("status");
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

  /** The status URL Cryptshare uses for a transfer: {@code /api/users/{sender}/transfers/{id}}. */
  public URI statusUrlOf(String sender, String trackingId) {
    return apiUri("users", sender, "transfers", trackingId);
  }

  /** {@code GET /api/users/{sender}/transfers?page=&page-size=} (newest first). */
  public List<TransferSummary> listTransfers(String sender, String token, int page, int pageSize) {
    var uri =
        UriComponentsBuilder.fromUri(apiUri("users", sender, "transfers"))
            .queryParam("page", page)
            .queryParam("page-size", pageSize)
            .build(true)
            .toUri();
    var answer =
        call(rest.get().uri(uri).header(CLIENT_ID, clientIdOrEmpty()).header(TOKEN, token), 200);
    var rows = new ArrayList<TransferSummary>();
    for (JsonNode row : answer.data()) {
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
      resolved = properties.baseUrl().resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new ForeignLocationException(server, location);
    }
    requireInsideOrigin(resolved);
    return resolved;
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

  private record Answer(int status, JsonNode data, @Nullable String location) {}

  private Answer call(RestClient.RequestHeadersSpec<?> request, int... expected) {
    try {
      return request.exchange(
          (req, res) -> {
            int status = res.getStatusCode().value();
            byte[] body = res.getBody().readAllBytes();
            for (int ok : expected) {
              if (status == ok) {
                return new Answer(
                    status,
                    parse(body).path("data"),
                    res.getHeaders().getFirst(HttpHeaders.LOCATION));
              }
            }
            throw errorResponse(res.getStatusCode(), res.getHeaders(), body);
          },
          false);
    } catch (ResourceAccessException e) {
      throw classify(e);
    }
  }

  private CryptshareException classify(ResourceAccessException e) {
    Throwable cause = e.getCause() == null ? e : e.getCause();
    if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
      return new CryptshareException.Unreachable(server, cause);
    }
    return new CryptshareException.OutcomeUnknown(server, cause instanceof IOException ? cause : e);
  }

  private CryptshareException.ErrorResponse errorResponse(
      HttpStatusCode status, HttpHeaders headers, byte[] body) {
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
      message = "HTTP " + status.value();
    }
    if (message.length() > MAX_ERROR_MESSAGE) {
      message = message.substring(0, MAX_ERROR_MESSAGE);
    }
    return new CryptshareException.ErrorResponse(
        server,
        status.value(),
        errorCode,
        message,
        retryAfter(headers.getFirst(HttpHeaders.RETRY_AFTER)));
  }

  private @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        var at =
            ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        var wait = Duration.between(clock.instant(), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException neither) {
        return null;
      }
    }
  }

  private JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (JacksonException e) {
      return JSON.missingNode();
    }
  }

  private URI apiUri(String... segments) {
    return UriComponentsBuilder.fromUri(properties.baseUrl())
        .path("/api")
        .pathSegment(segments)
        .encode()
        .build()
        .toUri();
  }

  private boolean isFresh(VerificationToken token) {
    return token.validUntil().isAfter(clock.instant().plus(properties.tokenRefreshMargin()));
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

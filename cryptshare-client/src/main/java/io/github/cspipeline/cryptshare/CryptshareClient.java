package io.github.cspipeline.cryptshare;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Talks to one Cryptshare server. Every HTTP outcome other than the expected success becomes a
 * {@link CryptshareException}, so callers decide on failure classes, never on HTTP details.
 *
 * <p>The Cryptshare calls themselves; the parts are its helpers: {@link ApiUris} (URLs), {@link
 * ApiExchange} (sending, with {@link ErrorAnswers} for refusals), {@link Answers} (reading
 * answers), {@link TokenCache} (tokens). All are built once per server, none per request.
 */
public final class CryptshareClient implements CryptshareApi {

  /**
   * The longest {@code Retry-After} honoured; a longer one (or a date further ahead) counts as this
   * long. One hour: longer than any sensible pause, short enough to end within a retry budget or a
   * watch deadline instead of overflowing them.
   */
  public static final Duration MAX_RETRY_AFTER = ErrorAnswers.MAX_RETRY_AFTER;

  private final String server;
  private final CryptshareServerProperties properties;
  private final Clock clock;
  private final ApiUris uris;
  private final ApiExchange exchange;
  private final TokenCache tokens;

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
    this.uris = new ApiUris(server, properties.baseUrl());
    this.exchange =
        new ApiExchange(server, properties, interceptor, guard, new ErrorAnswers(server, clock));
    this.tokens = new TokenCache(this::requestToken, properties.tokenRefreshMargin(), clock);
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
    return tokens.get(sender);
  }

  /** Forgets a token Cryptshare refused, unless another thread already replaced it. */
  @Override
  public void invalidateToken(String sender, VerificationToken refused) {
    tokens.invalidate(sender, refused);
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
        exchange.call(
            exchange.post(uris.api("users", sender, "verification", "token"), clientId, null),
            200,
            201);
    return Answers.token(server, answer, clock);
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
        exchange.call(
            exchange.post(uris.api("users", sender, "transfer-sessions", trackingId), token),
            201,
            200);
    var location = answer.location();
    if (location == null) {
      // Cryptshare always sends Location on 201; without it the status URL is still known.
      return uris.api("users", sender, "transfers", trackingId);
    }
    return uris.resolveStatusUrl(location);
  }

  /** {@code GET} of a status URL (from {@link #resolveStatusUrl}). */
  @Override
  public TransferStatus transferStatus(URI statusUrl, String token) {
    uris.requireInsideOrigin(statusUrl);
    var answer = exchange.call(exchange.get(statusUrl, token), 200);
    return Answers.statusOf(answer.body());
  }

  /** The status URL Cryptshare uses for a transfer: {@code /api/users/{sender}/transfers/{id}}. */
  @Override
  public URI statusUrlOf(String sender, String trackingId) {
    return uris.api("users", sender, "transfers", trackingId);
  }

  /** {@code GET /api/users/{sender}/transfers?page=&page-size=} (newest first). */
  @Override
  public List<TransferSummary> listTransfers(String sender, String token, int page, int pageSize) {
    var answer =
        exchange.call(exchange.get(uris.transfersPage(sender, page, pageSize), token), 200);
    return Answers.transfers(answer);
  }

  /**
   * Resolves a {@code Location} (absolute or relative) against the server's base URL and refuses
   * one that leaves the server's origin.
   */
  public URI resolveStatusUrl(String location) {
    return uris.resolveStatusUrl(location);
  }
}

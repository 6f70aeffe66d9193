package io.github.cspipeline.poller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Cryptshare as far as the poller needs it, on a JDK HTTP server: client-id-mode tokens, scripted
 * status answers per trackingId, one scripted transfer list for every sender, and refused tokens.
 * Records every request.
 */
public final class CryptshareStub implements AutoCloseable {

  /** One scripted answer of the status endpoint. */
  public record Reply(int status, String body, @Nullable String retryAfter) {

    public static Reply state(String state) {
      return new Reply(
          200,
          """
          {"data": {"status": {"state": "%s", "warnings": false, "recipients": []},
                    "transfer": {}}, "meta": {}}"""
              .formatted(state),
          null);
    }

    /** {@code ACTIVE} with warnings and one recipient with a download URL. */
    public static Reply active(String downloadUrl) {
      return new Reply(
          200,
          """
          {"data": {"status": {"state": "ACTIVE", "warnings": true, "emlCreationFailed": false,
                               "recipients": [{"id": "r1", "mail": "bob@example.org",
                                               "downloadUrl": "%s", "notificationFailed": false,
                                               "fileDownloads": []}]},
                    "transfer": {"expirationDate": "2026-12-10T10:15:00+01:00"}},
           "meta": {}}"""
              .formatted(downloadUrl),
          null);
    }

    public static Reply error(int status, int errorCode, @Nullable String retryAfter) {
      return new Reply(
          status,
          "{\"errorCode\": %d, \"errorMessage\": \"stub error %d\"}".formatted(errorCode, status),
          retryAfter);
    }
  }

  private final HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> statusCalls = new ConcurrentHashMap<>();
  private final Map<String, List<Long>> statusCallNanos = new ConcurrentHashMap<>();
  private final Map<String, Reply> refusedTokens = new ConcurrentHashMap<>();
  private final List<Reply> listScript = new CopyOnWriteArrayList<>();
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  public CryptshareStub() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Cryptshare stub", e);
    }
    server.createContext("/api/users/", this::handle);
    server.start();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers the status polls of {@code trackingId} in this order; the last one repeats. */
  public void script(String trackingId, Reply... replies) {
    scripts.put(trackingId, new ArrayDeque<>(List.of(replies)));
  }

  /** The next status poll carrying this token gets 401/3002. */
  public void refuseToken(String token) {
    refuseToken(token, Reply.error(401, 3002, null));
  }

  /** The next status or list request carrying this token gets {@code refusal}. */
  public void refuseToken(String token, Reply refusal) {
    refusedTokens.put(token, refusal);
  }

  /** Answers every page of every sender's transfer list with these {@code trackingId: state}. */
  public void listShows(Map<String, String> states) {
    var rows = new StringBuilder();
    states.forEach(
        (trackingId, state) ->
            rows.append(rows.isEmpty() ? "" : ",")
                .append(
                    "{\"trackingId\": \"%s\", \"state\": \"%s\"}".formatted(trackingId, state)));
    listScript.clear();
    listScript.add(new Reply(200, "{\"data\": [" + rows + "], \"meta\": {}}", null));
  }

  public int listCalls() {
    return listCalls.get();
  }

  public int statusCalls(String trackingId) {
    return statusCalls.computeIfAbsent(trackingId, id -> new AtomicInteger()).get();
  }

  /** When each status poll of {@code trackingId} arrived, as {@link System#nanoTime()}. */
  public List<Long> statusCallTimes(String trackingId) {
    return List.copyOf(statusCallNanos.getOrDefault(trackingId, List.of()));
  }

  public int tokensIssued() {
    return tokensIssued.get();
  }

  /** Every request so far as {@code "METHOD path"}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var path = exchange.getRequestURI().getPath();
      requests.add(exchange.getRequestMethod() + " " + path);
      var segments = path.split("/");
      // /api/users/{sender}/verification/token or /api/users/{sender}/transfers/{trackingId}
      if (segments.length == 6 && segments[4].equals("verification")) {
        var token = "token-" + tokensIssued.incrementAndGet();
        send(
            exchange,
            new Reply(
                201,
                "{\"data\": {\"token\": \"%s\", \"validUntil\": \"2999-01-01T00:00:00Z\"}}"
                    .formatted(token),
                null));
      } else if (segments.length == 6 && segments[4].equals("transfers")) {
        var trackingId = segments[5];
        statusCalls.computeIfAbsent(trackingId, id -> new AtomicInteger()).incrementAndGet();
        statusCallNanos
            .computeIfAbsent(trackingId, id -> new CopyOnWriteArrayList<>())
            .add(System.nanoTime());
        var refusal = refusal(exchange);
        send(exchange, refusal != null ? refusal : next(trackingId));
      } else if (segments.length == 5 && segments[4].equals("transfers")) {
        listCalls.incrementAndGet();
        var refusal = refusal(exchange);
        send(
            exchange,
            refusal != null
                ? refusal
                : listScript.isEmpty() ? Reply.error(404, 1006, null) : listScript.getFirst());
      } else {
        send(exchange, Reply.error(404, 1006, null));
      }
    }
  }

  private @Nullable Reply refusal(HttpExchange exchange) {
    var token = exchange.getRequestHeaders().getFirst("X-CS-VerificationToken");
    return token == null ? null : refusedTokens.remove(token);
  }

  private Reply next(String trackingId) {
    var script = scripts.get(trackingId);
    if (script == null) {
      return Reply.error(404, 2003, null);
    }
    synchronized (script) {
      return script.size() > 1 ? script.poll() : script.peek();
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    var body = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (reply.retryAfter() != null) {
      exchange.getResponseHeaders().set("Retry-After", reply.retryAfter());
    }
    exchange.sendResponseHeaders(reply.status(), body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop(0);
    }
  }
}

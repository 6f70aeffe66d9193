package io.github.cspipeline.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A JDK HTTP server standing in for Cryptshare. By default every sender gets a fresh token, every
 * finalize succeeds (201 with a relative {@code Location}) and every transfer exists; answers can
 * be scripted per method and path. Every request and every issued token is recorded.
 */
public final class StubCryptshare implements AutoCloseable {

  /** A recorded request; header names are lower case. */
  public record Request(String method, String path, Map<String, List<String>> headers) {
    public String header(String name) {
      var values = headers.get(name.toLowerCase());
      return values == null ? null : values.getFirst();
    }
  }

  /** How to answer one request. */
  @FunctionalInterface
  public interface Answer {
    void write(HttpExchange exchange) throws IOException;
  }

  private static final Pattern TOKEN = Pattern.compile("/api/users/[^/]+/verification/token");
  private static final Pattern FINALIZE =
      Pattern.compile("/api/users/([^/]+)/transfer-sessions/([^/]+)");
  private static final Pattern STATUS = Pattern.compile("/api/users/[^/]+/transfers/[^/]+");

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<String> issuedTokens = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();

  public StubCryptshare() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public static String finalizePath(String sender, String trackingId) {
    return "/api/users/" + sender + "/transfer-sessions/" + trackingId;
  }

  public static String statusPath(String sender, String trackingId) {
    return "/api/users/" + sender + "/transfers/" + trackingId;
  }

  /** Answers the next requests to {@code method path} in turn; the last answer repeats. */
  public StubCryptshare on(String method, String path, Answer... script) {
    scripts.put(method + " " + path, new ArrayDeque<>(List.of(script)));
    return this;
  }

  public List<Request> requests(String method, String path) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().equals(path))
        .toList();
  }

  public List<String> issuedTokens() {
    return List.copyOf(issuedTokens);
  }

  public static Answer error(int status, int errorCode, String message, String... headerPairs) {
    return exchange -> {
      for (int i = 0; i + 1 < headerPairs.length; i += 2) {
        exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
      }
      json(
          exchange,
          status,
          "{\"errorCode\": %d, \"errorMessage\": \"%s\"}".formatted(errorCode, message));
    };
  }

  /** The default answer to a finalize: 201 with a relative Location. */
  public static Answer finalized() {
    return exchange -> {
      var m = FINALIZE.matcher(exchange.getRequestURI().getRawPath());
      if (!m.matches()) {
        throw new IllegalStateException("not a finalize request");
      }
      exchange.getResponseHeaders().add("Location", statusPath(m.group(1), m.group(2)));
      json(exchange, 201, "");
    };
  }

  /** Answers only once {@code release} is counted down. */
  public static Answer after(CountDownLatch release, Answer answer) {
    return exchange -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer.write(exchange);
    };
  }

  private Answer issueToken() {
    return exchange -> {
      var token = "token" + UUID.randomUUID().toString().replace("-", "");
      issuedTokens.add(token);
      json(
          exchange,
          201,
          "{\"data\": {\"token\": \"%s\", \"validUntil\": \"%s\"}}"
              .formatted(token, Instant.now().plusSeconds(3600)));
    };
  }

  private static void json(HttpExchange exchange, int status, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private Answer defaultAnswer(String method, String path) {
    if (method.equals("POST") && TOKEN.matcher(path).matches()) {
      return issueToken();
    }
    if (method.equals("POST") && FINALIZE.matcher(path).matches()) {
      return finalized();
    }
    if (method.equals("GET") && STATUS.matcher(path).matches()) {
      return exchange ->
          json(exchange, 200, "{\"data\": {\"status\": {\"state\": \"PROCESSING\"}}}");
    }
    return error(404, 1006, "no such endpoint");
  }

  private void handle(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    var headers = new HashMap<String, List<String>>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
    var method = exchange.getRequestMethod();
    var path = exchange.getRequestURI().getRawPath();
    requests.add(new Request(method, path, headers));
    var script = scripts.get(method + " " + path);
    Answer answer;
    if (script == null) {
      answer = defaultAnswer(method, path);
    } else {
      synchronized (script) {
        answer = script.size() > 1 ? script.poll() : script.peek();
      }
    }
    answer.write(exchange);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package io.github.cspipeline.cryptshare;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A JDK HTTP server standing in for Cryptshare: answers are scripted per method and path, and every
 * request is recorded.
 */
final class StubCryptshare implements AutoCloseable {

  /** A recorded request. Header names are lower case. */
  record Request(String method, String path, Map<String, List<String>> headers) {
    String header(String name) {
      var values = headers.get(name.toLowerCase());
      return values == null ? null : values.getFirst();
    }
  }

  /** How to answer one request. */
  @FunctionalInterface
  interface Answer {
    void write(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
  private final CountDownLatch released = new CountDownLatch(1);

  StubCryptshare() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers the next requests to {@code method path} in turn; the last answer repeats. */
  StubCryptshare on(String method, String path, Answer... script) {
    answers.put(method + " " + path, new ArrayDeque<>(List.of(script)));
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requests(String method, String path) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().equals(path))
        .toList();
  }

  static Answer json(int status, String body, String... headerPairs) {
    return exchange -> {
      for (int i = 0; i + 1 < headerPairs.length; i += 2) {
        exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      send(exchange, status, body);
    };
  }

  static Answer error(int status, int errorCode, String message, String... headerPairs) {
    return json(
        status,
        "{\"errorCode\": %d, \"errorMessage\": \"%s\"}".formatted(errorCode, message),
        headerPairs);
  }

  static Answer token(String value, String validUntil) {
    return json(
        201,
        "{\"data\": {\"token\": \"%s\", \"validUntil\": \"%s\"}, \"meta\": {}}"
            .formatted(value, validUntil));
  }

  static Answer raw(int status, String contentType, String body) {
    return exchange -> {
      exchange.getResponseHeaders().add("Content-Type", contentType);
      send(exchange, status, body);
    };
  }

  /** Never answers (until the stub closes), so the client's read timeout strikes. */
  Answer hang() {
    return exchange -> {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    };
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    var headers = new java.util.HashMap<String, List<String>>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
    var method = exchange.getRequestMethod();
    var path = exchange.getRequestURI().getRawPath();
    requests.add(new Request(method, path, headers));
    var script = answers.get(method + " " + path);
    Answer answer;
    if (script == null) {
      answer = error(404, 1006, "no such endpoint");
    } else {
      synchronized (script) {
        answer = script.size() > 1 ? script.poll() : script.peek();
      }
    }
    answer.write(exchange);
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}

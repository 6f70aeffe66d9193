package io.github.cspipeline.testkit;

import com.sun.net.httpserver.HttpExchange;
import io.github.cspipeline.testkit.StubCryptshare.Answer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

/** How {@link StubCryptshare}'s answers are written; its static factories document each. */
final class Answers {

  private Answers() {}

  static Answer json(int status, String body, String... headerPairs) {
    return exchange -> {
      addHeaders(exchange, headerPairs);
      send(exchange, status, "application/json", body);
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
    return exchange -> send(exchange, status, contentType, body);
  }

  static Answer state(String state) {
    return json(
        200,
        """
        {"data": {"status": {"state": "%s", "warnings": false, "recipients": []},
                  "transfer": {}}, "meta": {}}"""
            .formatted(state));
  }

  static Answer active(String downloadUrl) {
    return json(
        200,
        """
        {"data": {"status": {"state": "ACTIVE", "warnings": true, "emlCreationFailed": false,
                             "recipients": [{"id": "r1", "mail": "bob@example.org",
                                             "downloadUrl": "%s", "notificationFailed": false,
                                             "fileDownloads": []}]},
                  "transfer": {"expirationDate": "2026-12-10T10:15:00+01:00"}},
         "meta": {}}"""
            .formatted(downloadUrl));
  }

  /** {@code finalize}: the finalize path, sender and tracking id its groups 1 and 2. */
  static Answer finalized(Pattern finalize) {
    return exchange -> {
      var m = finalize.matcher(exchange.getRequestURI().getRawPath());
      if (!m.matches()) {
        throw new IllegalStateException("not a finalize request");
      }
      exchange
          .getResponseHeaders()
          .add("Location", StubCryptshare.statusPath(m.group(1), m.group(2)));
      send(exchange, 201, "application/json", "");
    };
  }

  static Answer after(CountDownLatch release, Answer answer) {
    return exchange -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer.write(exchange);
    };
  }

  private static void addHeaders(HttpExchange exchange, String... headerPairs) {
    if (headerPairs.length % 2 != 0) {
      throw new IllegalArgumentException("headers come in name, value pairs");
    }
    for (int i = 0; i < headerPairs.length; i += 2) {
      exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }
}

package io.github.cspipeline.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Shared test fixtures: keys, and a plain HTTP client as a caller would use. */
final class GatewayFixtures {

  static final String KEY = "test-key-all";
  static final String SCOPED_KEY = "test-key-example-com";

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private GatewayFixtures() {}

  /** Properties of a gateway with two keys: one for everything, one for *@example.com only. */
  static String[] properties() {
    return new String[] {
      "cryptshare.servers.default.base-url=http://localhost:1",
      "cryptshare.servers.other.base-url=http://localhost:2",
      "cryptshare.gateway.api-keys[0].name=all",
      "cryptshare.gateway.api-keys[0].sha256=" + sha256(KEY),
      "cryptshare.gateway.api-keys[1].name=example",
      "cryptshare.gateway.api-keys[1].sha256=" + sha256(SCOPED_KEY),
      "cryptshare.gateway.api-keys[1].servers=default",
      "cryptshare.gateway.api-keys[1].senders=*@example.com",
    };
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> post(int port, String key, String body) {
    return send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/finalizations"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static HttpResponse<String> get(int port, String key, String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Authorization", "Bearer " + key)
            .GET()
            .build());
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String body(String sender, String trackingId) {
    return """
        {"server": "default", "sender": "%s", "trackingId": "%s"}"""
        .formatted(sender, trackingId);
  }
}

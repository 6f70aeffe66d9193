package io.github.cspipeline.gateway;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Shared test fixtures: credentials, gateway properties, a plain HTTP client, and events as the
 * worker and the poller publish them.
 */
final class GatewayFixtures {

  static final String KEY = "test-key-all";
  static final String SCOPED_KEY = "test-key-example-com";
  static final String SLOW_KEY = "test-key-two-per-second";

  static final String JWT_ISSUER = "https://idp.test";
  static final String JWT_AUDIENCE = "cryptshare-gateway";

  /** A signing key made for this test run; the gateway knows its public half. */
  static final KeyPair JWT_KEYS = rsaKeyPair();

  /** A second key pair the gateway does not know. */
  static final KeyPair FOREIGN_KEYS = rsaKeyPair();

  /** AES-256 key for pass-through tokens, id {@code k1}. */
  static final String CREDENTIAL_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private GatewayFixtures() {}

  /**
   * Properties of a gateway with three keys (all, *@example.com on server default only, and one
   * limited to two requests per second), JWT mode and a credential key.
   */
  static Map<String, String> properties() {
    var p = new java.util.LinkedHashMap<String, String>();
    // Any free port: instances must not share the default management port 8081.
    p.put("management.server.port", "0");
    p.put("cryptshare.servers.default.base-url", "http://localhost:1");
    p.put("cryptshare.servers.other.base-url", "http://localhost:2");
    apiKey(p, 0, "all", KEY, "10000");
    apiKey(p, 1, "example", SCOPED_KEY, "10000");
    p.put("cryptshare.gateway.api-keys[1].servers", "default");
    p.put("cryptshare.gateway.api-keys[1].senders", "*@example.com");
    apiKey(p, 2, "slow", SLOW_KEY, "2");
    p.put("cryptshare.gateway.jwt.issuer", JWT_ISSUER);
    p.put("cryptshare.gateway.jwt.audience", JWT_AUDIENCE);
    p.put(
        "cryptshare.gateway.jwt.public-key",
        Base64.getEncoder().encodeToString(JWT_KEYS.getPublic().getEncoded()));
    p.put("cryptshare.gateway.credential-keys.k1", CREDENTIAL_KEY);
    p.put("cryptshare.gateway.credential-key-id", "k1");
    return p;
  }

  /** The entry of an API key: its name, the hash the gateway compares, and its rate limit. */
  private static void apiKey(
      Map<String, String> p, int index, String name, String key, String requestsPerSecond) {
    var prefix = "cryptshare.gateway.api-keys[" + index + "].";
    p.put(prefix + "name", name);
    p.put(prefix + "sha256", sha256(key));
    p.put(prefix + "requests-per-second", requestsPerSecond);
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

  private static KeyPair rsaKeyPair() {
    try {
      var generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token signed with {@link #JWT_KEYS}, valid for five minutes, scoped to everything. */
  static String jwt(Consumer<JWTClaimsSet.Builder> changes) {
    return jwt(JWT_KEYS, changes);
  }

  static String jwt(KeyPair keys, Consumer<JWTClaimsSet.Builder> changes) {
    var now = Instant.now();
    var claims =
        new JWTClaimsSet.Builder()
            .issuer(JWT_ISSUER)
            .audience(JWT_AUDIENCE)
            .subject("platform-a")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .claim("cryptshare_servers", List.of("*"))
            .claim("cryptshare_senders", "*@example.com *@example.org");
    changes.accept(claims);
    try {
      var jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(),
              claims.build());
      jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> post(int port, String key, String body) {
    return post(port, key, body, Map.of());
  }

  static HttpResponse<String> post(int port, String key, String body, Map<String, String> headers) {
    var request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/finalizations"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request.build());
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

  static String uniqueTrackingId(String prefix) {
    return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /** Command-line style arguments of {@link #properties()} plus extras. */
  static String[] arguments(Map<String, String> extra) {
    var args = new ArrayList<String>();
    var all = new java.util.LinkedHashMap<>(properties());
    all.putAll(extra);
    all.forEach((k, v) -> args.add("--" + k + "=" + v));
    return args.toArray(String[]::new);
  }

  /** The {@code PROCESSING} event of alice's transfer on server default, occurred now. */
  static TransferEvent processingEvent(String trackingId) {
    return TransferEvent.processing(
        "default",
        "alice@example.com",
        trackingId,
        Instant.now(),
        URI.create("http://cs/api/users/alice@example.com/transfers/" + trackingId));
  }

  /** The event as a record of the events topic: keyed by trackingId, the value JSON text. */
  static ProducerRecord<String, String> eventRecord(TransferEvent event) {
    return new ProducerRecord<>(
        Topics.TRANSFER_EVENTS, event.trackingId(), WireFormat.mapper().writeValueAsString(event));
  }

  /** The states of the events among an event stream's lines ({@code data:} lines), in order. */
  static List<String> states(List<String> lines) {
    return lines.stream()
        .filter(l -> l.startsWith("data:"))
        .map(l -> WireFormat.mapper().readTree(l.substring(5)).path("state").asString())
        .toList();
  }
}

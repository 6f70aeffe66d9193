package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SCOPED_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets a problem+json answer with a stable code, never a 5xx, and nothing
 * reaches Kafka (neither a command nor a claim).
 */
class BadRequestsIT extends AbstractGatewayIT {

  /** What a case sends, given the gateway's port; answers status and body. */
  interface Call extends IntFunction<Answer> {}

  record Answer(int status, String contentType, String body) {}

  private static final String FINALIZATIONS = "/api/v1/finalizations";

  static Stream<Arguments> badRequests() {
    return Stream.of(
        // Body: syntax and shape
        bad("unparsable JSON", postJson("{"), 400, "MALFORMED_BODY"),
        bad("a JSON array", postJson("[]"), 400, "MALFORMED_BODY"),
        bad("an empty body", postJson(""), 400, "MALFORMED_BODY"),
        bad("the JSON literal null", postJson("null"), 400, "MALFORMED_BODY"),
        bad("a JSON string", postJson("\"text\""), 400, "MALFORMED_BODY"),
        bad(
            "two JSON objects",
            postJson(body("alice@example.com", "t-1") + " {}"),
            400,
            "MALFORMED_BODY"),
        bad(
            "duplicate keys",
            postJson(
                "{\"sender\": \"a@example.com\", \"sender\": \"b@example.com\", \"trackingId\":"
                    + " \"t-1\"}"),
            400,
            "MALFORMED_BODY"),
        bad(
            "deeply nested JSON",
            postJson("[".repeat(3000) + "]".repeat(3000)),
            400,
            "MALFORMED_BODY"),
        bad(
            "bytes that are not UTF-8",
            post(
                "application/json",
                concat(
                    "{\"sender\": \"al",
                    new byte[] {(byte) 0xff, (byte) 0xfe},
                    "@example.com\", \"trackingId\": \"t-1\"}"),
                KEY),
            400,
            "MALFORMED_BODY"),
        bad(
            "an unknown field",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": \"t-1\", \"extra\": 1}"),
            400,
            "UNKNOWN_FIELD"),
        // Body: fields
        bad("no trackingId", postJson("{\"sender\": \"alice@example.com\"}"), 400, "INVALID_FIELD"),
        bad("no sender", postJson("{\"trackingId\": \"t-1\"}"), 400, "INVALID_FIELD"),
        bad(
            "sender null",
            postJson("{\"sender\": null, \"trackingId\": \"t-1\"}"),
            400,
            "INVALID_FIELD"),
        bad(
            "trackingId null",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": null}"),
            400,
            "INVALID_FIELD"),
        bad("sender not an address", postJson(body("not-an-email", "t-1")), 400, "INVALID_FIELD"),
        bad("sender without domain", postJson(body("alice@", "t-1")), 400, "INVALID_FIELD"),
        // Senders bean validation lets through but the worker's rules (FinalizeCommandRules)
        // refuse: accepting them would leave the transfer ACCEPTED forever.
        bad(
            "a sender with a quoted local part holding an @",
            postJson(bodyWithSender("\\\"a@b\\\"@example.com")),
            400,
            "INVALID_FIELD"),
        bad(
            "a sender with a quoted local part",
            postJson(bodyWithSender("\\\"alice\\\"@example.com")),
            400,
            "INVALID_FIELD"),
        bad(
            "a sender with a quoted local part holding a space",
            postJson(bodyWithSender("\\\"a b\\\"@example.com")),
            400,
            "INVALID_FIELD"),
        bad(
            "a sender with a control character",
            postJson(bodyWithSender("ali\\u007fce@example.com")),
            400,
            "INVALID_FIELD"),
        bad(
            "a sender with an empty domain label",
            postJson(bodyWithSender("alice@example..com")),
            400,
            "INVALID_FIELD"),
        bad(
            "a sender whose domain starts with a dot",
            postJson(bodyWithSender("alice@.example.com")),
            400,
            "INVALID_FIELD"),
        bad(
            "a sender with a quote in the domain",
            postJson(bodyWithSender("alice@exa\\\"mple.com")),
            400,
            "INVALID_FIELD"),
        bad(
            "sender over 254 characters",
            postJson(body("a".repeat(250) + "@example.com", "t-1")),
            400,
            "INVALID_FIELD"),
        bad(
            "sender as a number",
            postJson("{\"sender\": 42, \"trackingId\": \"t-1\"}"),
            400,
            "INVALID_FIELD"),
        bad(
            "sender as a boolean",
            postJson("{\"sender\": true, \"trackingId\": \"t-1\"}"),
            400,
            "INVALID_FIELD"),
        bad(
            "trackingId with a slash",
            postJson(body("alice@example.com", "bad/slash")),
            400,
            "INVALID_FIELD"),
        bad(
            "trackingId with a space",
            postJson(body("alice@example.com", "a b")),
            400,
            "INVALID_FIELD"),
        bad(
            "trackingId with umlauts",
            postJson(body("alice@example.com", "träck")),
            400,
            "INVALID_FIELD"),
        bad(
            "trackingId of 65 characters",
            postJson(body("alice@example.com", "x".repeat(65))),
            400,
            "INVALID_FIELD"),
        bad("trackingId empty", postJson(body("alice@example.com", "")), 400, "INVALID_FIELD"),
        bad(
            "trackingId as a number",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": 123}"),
            400,
            "INVALID_FIELD"),
        bad(
            "trackingId as an object",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": {}}"),
            400,
            "INVALID_FIELD"),
        bad(
            "an unknown server",
            postJson(
                "{\"server\": \"nope\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}"),
            400,
            "UNKNOWN_SERVER"),
        bad(
            "a server id with bad characters",
            postJson(
                "{\"server\": \"http://evil\", \"sender\": \"a@example.com\", \"trackingId\":"
                    + " \"t-1\"}"),
            400,
            "INVALID_FIELD"),
        bad(
            "server as an array",
            postJson(
                "{\"server\": [\"default\"], \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}"),
            400,
            "INVALID_FIELD"),
        bad(
            "server empty",
            postJson("{\"server\": \"\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}"),
            400,
            "INVALID_FIELD"),
        // Size
        bad(
            "a body over 16 KiB",
            postJson(
                "{\"sender\": \"a@example.com\", \"trackingId\": \"t-1\", \"pad\": \""
                    + "x".repeat(17_000)
                    + "\"}"),
            400,
            "BODY_TOO_LARGE"),
        bad(
            "a chunked body over 16 KiB",
            chunked("{\"sender\": \"a@example.com\", \"pad\": \"" + "x".repeat(40_000) + "\"}"),
            400,
            "BODY_TOO_LARGE"),
        // Media types
        bad(
            "Content-Type text/plain",
            post("text/plain", body("a@example.com", "t-1").getBytes(StandardCharsets.UTF_8), KEY),
            415,
            "UNSUPPORTED_MEDIA_TYPE"),
        bad(
            "Content-Type application/xml",
            post("application/xml", "<x/>".getBytes(StandardCharsets.UTF_8), KEY),
            415,
            "UNSUPPORTED_MEDIA_TYPE"),
        bad(
            "no Content-Type",
            post(null, body("a@example.com", "t-1").getBytes(StandardCharsets.UTF_8), KEY),
            415,
            "UNSUPPORTED_MEDIA_TYPE"),
        bad(
            "Accept application/xml",
            port ->
                call(
                    port,
                    FINALIZATIONS,
                    r ->
                        r.header("Authorization", "Bearer " + KEY)
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/xml")
                            .POST(BodyPublishers.ofString(body("a@example.com", "t-1")))),
            406,
            "NOT_ACCEPTABLE"),
        // Routes and methods
        bad("PUT on finalizations", method("PUT", FINALIZATIONS, KEY), 405, "METHOD_NOT_ALLOWED"),
        bad("GET on finalizations", method("GET", FINALIZATIONS, KEY), 405, "METHOD_NOT_ALLOWED"),
        bad(
            "DELETE on a transfer",
            method("DELETE", "/api/v1/transfers/t-1", KEY),
            405,
            "METHOD_NOT_ALLOWED"),
        bad("an unknown route", method("GET", "/api/v1/nothing", KEY), 404, "NOT_FOUND"),
        bad(
            "an unknown API version",
            method("POST", "/api/v2/finalizations", KEY),
            404,
            "NOT_FOUND"),
        // Headers
        bad(
            "an Idempotency-Key of 300 characters",
            postWith("Idempotency-Key", "k".repeat(300)),
            400,
            "INVALID_IDEMPOTENCY_KEY"),
        bad(
            "an Idempotency-Key with a space",
            postWith("Idempotency-Key", "a b"),
            400,
            "INVALID_IDEMPOTENCY_KEY"),
        bad(
            "a verification token with a space",
            postWith("X-CS-VerificationToken", "a b"),
            400,
            "INVALID_VERIFICATION_TOKEN"),
        // Authentication and scope
        bad(
            "no Authorization header",
            post("application/json", bytes(body("a@example.com", "t-1")), null),
            401,
            "UNAUTHENTICATED"),
        bad("the Basic scheme", postAuth("Basic " + KEY), 401, "UNAUTHENTICATED"),
        bad("a wrong key", postAuth("Bearer wrong-key"), 401, "UNAUTHENTICATED"),
        bad("Bearer with nothing", postAuth("Bearer "), 401, "UNAUTHENTICATED"),
        bad("a forged JWT", postAuth("Bearer aaa.bbb.ccc"), 401, "UNAUTHENTICATED"),
        bad(
            "a sender outside the key's scope",
            post("application/json", bytes(body("eve@example.org", "t-1")), SCOPED_KEY),
            403,
            "FORBIDDEN_SENDER"),
        bad(
            "a server outside the key's scope",
            post(
                "application/json",
                bytes(
                    "{\"server\": \"other\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}"),
                SCOPED_KEY),
            403,
            "FORBIDDEN_SERVER"),
        // Status and events
        bad(
            "GET a trackingId with a space",
            method("GET", "/api/v1/transfers/bad%20id", KEY),
            400,
            "INVALID_PARAMETER"),
        bad(
            "GET a trackingId of 65 characters",
            method("GET", "/api/v1/transfers/" + "x".repeat(65), KEY),
            400,
            "INVALID_PARAMETER"),
        bad(
            "GET with a malformed server",
            method("GET", "/api/v1/transfers/t-1?server=a%20b", KEY),
            400,
            "INVALID_PARAMETER"),
        bad(
            "GET with an unknown server",
            method("GET", "/api/v1/transfers/t-1?server=nope", KEY),
            400,
            "UNKNOWN_SERVER"),
        bad(
            "GET without a key",
            method("GET", "/api/v1/transfers/t-1", null),
            401,
            "UNAUTHENTICATED"),
        bad(
            "GET a server outside the key's scope",
            method("GET", "/api/v1/transfers/t-1?server=other", SCOPED_KEY),
            403,
            "FORBIDDEN_SERVER"),
        bad(
            "GET an unknown transfer",
            method("GET", "/api/v1/transfers/never-seen", KEY),
            404,
            "TRANSFER_NOT_FOUND"),
        bad(
            "events of an unknown transfer",
            method("GET", "/api/v1/transfers/never-seen/events", KEY),
            404,
            "TRANSFER_NOT_FOUND"),
        bad(
            "events without a key",
            method("GET", "/api/v1/transfers/t-1/events", null),
            401,
            "UNAUTHENTICATED"),
        bad(
            "the OpenAPI document without a key",
            method("GET", "/v3/api-docs", null),
            401,
            "UNAUTHENTICATED"),
        bad(
            "a malformed percent escape",
            raw("GET /api/v1/transfers/%zz HTTP/1.1"),
            400,
            "BAD_REQUEST"),
        bad("an encoded slash", raw("GET /api/v1/transfers/a%2Fb HTTP/1.1"), 400, "BAD_REQUEST"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void refuses_a_bad_request_with_a_problem_and_emits_nothing(
      String description, Call call, int status, String code) {
    var answer = call.apply(port);

    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.contentType()).startsWith("application/problem+json");
    assertThat(codeOf(answer.body())).isEqualTo(code);
    assertThat(nothingEmitted()).isTrue();
  }

  private static Arguments bad(String description, Call call, int status, String code) {
    return Arguments.of(description, call, status, code);
  }

  /** A body whose sender is given as JSON string content (escapes allowed). */
  private static String bodyWithSender(String jsonEscapedSender) {
    return "{\"server\": \"default\", \"sender\": \""
        + jsonEscapedSender
        + "\", \"trackingId\": \"t-1\"}";
  }

  private static Call postJson(String body) {
    return post("application/json", bytes(body), KEY);
  }

  private static Call postWith(String header, String value) {
    return port ->
        call(
            port,
            FINALIZATIONS,
            r ->
                r.header("Authorization", "Bearer " + KEY)
                    .header("Content-Type", "application/json")
                    .header(header, value)
                    .POST(BodyPublishers.ofString(body("a@example.com", "t-1"))));
  }

  private static Call postAuth(String authorization) {
    return port ->
        call(
            port,
            FINALIZATIONS,
            r ->
                r.header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString(body("a@example.com", "t-1"))));
  }

  private static Call post(String contentType, byte[] body, String key) {
    return port ->
        call(
            port,
            FINALIZATIONS,
            r -> {
              if (key != null) {
                r.header("Authorization", "Bearer " + key);
              }
              if (contentType != null) {
                r.header("Content-Type", contentType);
              }
              return r.POST(BodyPublishers.ofByteArray(body));
            });
  }

  /** A body of unknown length, which the client sends chunked. */
  private static Call chunked(String body) {
    return port ->
        call(
            port,
            FINALIZATIONS,
            r ->
                r.header("Authorization", "Bearer " + KEY)
                    .header("Content-Type", "application/json")
                    .POST(
                        BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes(body)))));
  }

  private static Call method(String method, String path, String key) {
    return port ->
        call(
            port,
            path,
            r -> {
              if (key != null) {
                r.header("Authorization", "Bearer " + key);
              }
              return r.method(method, BodyPublishers.noBody());
            });
  }

  private static Answer call(
      int port, String path, java.util.function.UnaryOperator<HttpRequest.Builder> request) {
    var response =
        GatewayFixtures.send(
            request
                .apply(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)))
                .build());
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }

  /** What no well-behaved client sends: written to the socket as is. */
  private static Call raw(String requestLine) {
    return port -> {
      try (var socket = new Socket("localhost", port)) {
        socket.setSoTimeout(10_000);
        var request =
            requestLine
                + "\r\nHost: localhost\r\nAuthorization: Bearer "
                + KEY
                + "\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        var response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        var status = Integer.parseInt(response.substring(9, 12));
        var type = Pattern.compile("(?im)^Content-Type:\\s*(\\S+)").matcher(response);
        var start = response.indexOf('{');
        return new Answer(
            status,
            type.find() ? type.group(1) : "",
            start < 0 ? response : response.substring(start, response.lastIndexOf('}') + 1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(String a, byte[] b, String c) {
    var out = new java.io.ByteArrayOutputStream();
    out.writeBytes(bytes(a));
    out.writeBytes(b);
    out.writeBytes(bytes(c));
    return out.toByteArray();
  }

  private static String codeOf(String problem) {
    return io.github.cspipeline.model.WireFormat.mapper().readTree(problem).path("code").asString();
  }
}

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
        malformed("unparsable JSON", postJson("{")),
        malformed("a JSON array", postJson("[]")),
        malformed("an empty body", postJson("")),
        malformed("the JSON literal null", postJson("null")),
        malformed("a JSON string", postJson("\"text\"")),
        malformed("two JSON objects", postJson(body("alice@example.com", "t-1") + " {}")),
        malformed(
            "duplicate keys",
            postJson(
                "{\"sender\": \"a@example.com\", \"sender\": \"b@example.com\", \"trackingId\":"
                    + " \"t-1\"}")),
        malformed("deeply nested JSON", postJson("[".repeat(3000) + "]".repeat(3000))),
        malformed(
            "bytes that are not UTF-8",
            post(
                "application/json",
                concat(
                    "{\"sender\": \"al",
                    new byte[] {(byte) 0xff, (byte) 0xfe},
                    "@example.com\", \"trackingId\": \"t-1\"}"),
                KEY)),
        bad(
            "an unknown field",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": \"t-1\", \"extra\": 1}"),
            400,
            "UNKNOWN_FIELD"),
        // Body: fields
        invalidField("no trackingId", postJson("{\"sender\": \"alice@example.com\"}")),
        invalidField("no sender", postJson("{\"trackingId\": \"t-1\"}")),
        invalidField("sender null", postJson("{\"sender\": null, \"trackingId\": \"t-1\"}")),
        invalidField(
            "trackingId null", postJson("{\"sender\": \"a@example.com\", \"trackingId\": null}")),
        invalidField("sender not an address", postJson(body("not-an-email", "t-1"))),
        invalidField("sender without domain", postJson(body("alice@", "t-1"))),
        // Senders bean validation lets through but the worker's rules (FinalizeCommandRules)
        // refuse: accepting them would leave the transfer ACCEPTED forever.
        invalidSender("a sender with a quoted local part holding an @", "\\\"a@b\\\"@example.com"),
        invalidSender("a sender with a quoted local part", "\\\"alice\\\"@example.com"),
        invalidSender(
            "a sender with a quoted local part holding a space", "\\\"a b\\\"@example.com"),
        invalidSender("a sender with a control character", "ali\\u007fce@example.com"),
        invalidSender("a sender with an empty domain label", "alice@example..com"),
        invalidSender("a sender whose domain starts with a dot", "alice@.example.com"),
        invalidSender("a sender with a quote in the domain", "alice@exa\\\"mple.com"),
        invalidField(
            "sender over 254 characters", postJson(body("a".repeat(250) + "@example.com", "t-1"))),
        invalidField("sender as a number", postJson("{\"sender\": 42, \"trackingId\": \"t-1\"}")),
        invalidField(
            "sender as a boolean", postJson("{\"sender\": true, \"trackingId\": \"t-1\"}")),
        invalidField("trackingId with a slash", postJson(body("alice@example.com", "bad/slash"))),
        invalidField("trackingId with a space", postJson(body("alice@example.com", "a b"))),
        invalidField("trackingId with umlauts", postJson(body("alice@example.com", "träck"))),
        invalidField(
            "trackingId of 65 characters", postJson(body("alice@example.com", "x".repeat(65)))),
        invalidField("trackingId empty", postJson(body("alice@example.com", ""))),
        invalidField(
            "trackingId as a number",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": 123}")),
        invalidField(
            "trackingId as an object",
            postJson("{\"sender\": \"a@example.com\", \"trackingId\": {}}")),
        bad(
            "an unknown server",
            postJson(
                "{\"server\": \"nope\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}"),
            400,
            "UNKNOWN_SERVER"),
        invalidField(
            "a server id with bad characters",
            postJson(
                "{\"server\": \"http://evil\", \"sender\": \"a@example.com\", \"trackingId\":"
                    + " \"t-1\"}")),
        invalidField(
            "server as an array",
            postJson(
                "{\"server\": [\"default\"], \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}")),
        invalidField(
            "server empty",
            postJson("{\"server\": \"\", \"sender\": \"a@example.com\", \"trackingId\": \"t-1\"}")),
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
        bad("Accept application/xml", postWith("Accept", "application/xml"), 406, "NOT_ACCEPTABLE"),
        // Routes and methods
        methodNotAllowed("PUT on finalizations", method("PUT", FINALIZATIONS, KEY)),
        methodNotAllowed("GET on finalizations", method("GET", FINALIZATIONS, KEY)),
        methodNotAllowed("DELETE on a transfer", method("DELETE", "/api/v1/transfers/t-1", KEY)),
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
        unauthenticated(
            "no Authorization header",
            post("application/json", bytes(body("a@example.com", "t-1")), null)),
        unauthenticated("the Basic scheme", postAuth("Basic " + KEY)),
        unauthenticated("a wrong key", postAuth("Bearer wrong-key")),
        unauthenticated("Bearer with nothing", postAuth("Bearer ")),
        unauthenticated("a forged JWT", postAuth("Bearer aaa.bbb.ccc")),
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
        invalidParameter(
            "GET a trackingId with a space", method("GET", "/api/v1/transfers/bad%20id", KEY)),
        invalidParameter(
            "GET a trackingId of 65 characters",
            method("GET", "/api/v1/transfers/" + "x".repeat(65), KEY)),
        invalidParameter(
            "GET with a malformed server",
            method("GET", "/api/v1/transfers/t-1?server=a%20b", KEY)),
        bad(
            "GET with an unknown server",
            method("GET", "/api/v1/transfers/t-1?server=nope", KEY),
            400,
            "UNKNOWN_SERVER"),
        unauthenticated("GET without a key", method("GET", "/api/v1/transfers/t-1", null)),
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
        unauthenticated(
            "events without a key", method("GET", "/api/v1/transfers/t-1/events", null)),
        unauthenticated("the OpenAPI document without a key", method("GET", "/v3/api-docs", null)),
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

  // The answers most cases expect, by name: each case's own line says what it sends.

  private static Arguments malformed(String description, Call call) {
    return bad(description, call, 400, "MALFORMED_BODY");
  }

  private static Arguments invalidField(String description, Call call) {
    return bad(description, call, 400, "INVALID_FIELD");
  }

  private static Arguments invalidParameter(String description, Call call) {
    return bad(description, call, 400, "INVALID_PARAMETER");
  }

  private static Arguments unauthenticated(String description, Call call) {
    return bad(description, call, 401, "UNAUTHENTICATED");
  }

  private static Arguments methodNotAllowed(String description, Call call) {
    return bad(description, call, 405, "METHOD_NOT_ALLOWED");
  }

  /** A case of a body whose sender is given as JSON string content (escapes allowed). */
  private static Arguments invalidSender(String description, String jsonEscapedSender) {
    return invalidField(description, postJson(bodyWithSender(jsonEscapedSender)));
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

  /** A valid finalize request with one header set, replacing the key's Authorization if named. */
  private static Call postWith(String header, String value) {
    return postWithKey(
        r ->
            r.setHeader(header, value).POST(BodyPublishers.ofString(body("a@example.com", "t-1"))));
  }

  private static Call postAuth(String authorization) {
    return postWith("Authorization", authorization);
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
    return postWithKey(
        r -> r.POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes(body)))));
  }

  /** A finalize request with the key and a JSON content type; {@code rest} adds the body. */
  private static Call postWithKey(java.util.function.UnaryOperator<HttpRequest.Builder> rest) {
    return port ->
        call(
            port,
            FINALIZATIONS,
            r ->
                rest.apply(
                    r.header("Authorization", "Bearer " + KEY)
                        .header("Content-Type", "application/json")));
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

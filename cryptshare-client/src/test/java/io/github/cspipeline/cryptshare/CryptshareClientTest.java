package io.github.cspipeline.cryptshare;

import static io.github.cspipeline.testkit.StubCryptshare.error;
import static io.github.cspipeline.testkit.StubCryptshare.json;
import static io.github.cspipeline.testkit.StubCryptshare.raw;
import static io.github.cspipeline.testkit.StubCryptshare.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.testkit.MutableClock;
import io.github.cspipeline.testkit.StubCryptshare;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.util.UriComponentsBuilder;

class CryptshareClientTest {

  static final String CLIENT_ID = "Cl1ent1d".repeat(8);
  static final String SENDER = "alice@example.com";
  static final String TRACKING_ID = "20261126-101500-AbCdEfGh";
  static final String FINALIZE = "/api/users/" + SENDER + "/transfer-sessions/" + TRACKING_ID;
  static final String STATUS = "/api/users/" + SENDER + "/transfers/" + TRACKING_ID;
  static final String VERIFY = "/api/users/" + SENDER + "/verification/token";
  static final Instant NOW = Instant.parse("2026-11-26T10:15:00Z");

  StubCryptshare stub;
  MutableClock clock = new MutableClock(NOW);
  CryptshareClient client;

  @BeforeEach
  void start() throws IOException {
    stub = new StubCryptshare();
    client = client(stub.baseUrl(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  CryptshareClient client(URI baseUrl, Duration readTimeout) {
    return new CryptshareClient(
        "default",
        new CryptshareServerProperties(
            baseUrl, CLIENT_ID, Duration.ofSeconds(2), readTimeout, 10, Duration.ofMinutes(5)),
        RequestInterceptor.NONE,
        clock);
  }

  @Nested
  class StatusUrl {

    @Test
    void finalize_resolves_a_relative_location_against_the_base_url() {
      stub.on("POST", FINALIZE, json(201, "", "Location", STATUS));

      var statusUrl = client.finalizeSession(SENDER, TRACKING_ID, "tok");

      assertThat(statusUrl).isEqualTo(stub.baseUrl().resolve(STATUS));
    }

    @Test
    void finalize_accepts_an_absolute_location_of_the_same_origin() {
      stub.on("POST", FINALIZE, json(201, "", "Location", stub.baseUrl() + STATUS));

      assertThat(client.finalizeSession(SENDER, TRACKING_ID, "tok"))
          .isEqualTo(URI.create(stub.baseUrl() + STATUS));
    }

    @Test
    void finalize_without_location_falls_back_to_the_canonical_status_url() {
      stub.on("POST", FINALIZE, json(201, ""));

      assertThat(client.finalizeSession(SENDER, TRACKING_ID, "tok"))
          .isEqualTo(client.statusUrlOf(SENDER, TRACKING_ID))
          .isEqualTo(URI.create(stub.baseUrl() + STATUS));
    }

    @Test
    void finalize_refuses_a_location_of_another_origin() {
      stub.on("POST", FINALIZE, json(201, "", "Location", "https://evil.example.org" + STATUS));

      assertThatThrownBy(() -> client.finalizeSession(SENDER, TRACKING_ID, "tok"))
          .isInstanceOf(ForeignLocationException.class)
          .hasMessageContaining("evil.example.org");
    }

    @Test
    void a_path_without_leading_slash_resolves_below_a_base_url_without_path() {
      var bare = client(URI.create("http://cs.example.com:8090"), Duration.ofSeconds(1));

      assertThat(bare.resolveStatusUrl("api/users/a@b.c/transfers/T1"))
          .isEqualTo(URI.create("http://cs.example.com:8090/api/users/a@b.c/transfers/T1"));
    }

    @ParameterizedTest
    @CsvSource({
      "http://cs.example.com:8090, a@b.c",
      "https://cs.example.com/, A.B+c@example.com",
      "https://cs.example.com/cryptshare, a b/ä?#%@b.c",
      "https://cs.example.com/cryptshare/, a;b=c@b.c"
    })
    void status_urls_encode_the_sender_as_one_path_segment_below_the_api(
        String base, String sender) {
      var client = client(URI.create(base), Duration.ofSeconds(1));

      assertThat(client.statusUrlOf(sender, "T1"))
          .isEqualTo(
              UriComponentsBuilder.fromUri(URI.create(base))
                  .path("/api")
                  .pathSegment("users", sender, "transfers", "T1")
                  .encode()
                  .build()
                  .toUri());
    }

    @Test
    void default_ports_count_as_the_same_origin() {
      var https = client(URI.create("https://cs.example.com"), Duration.ofSeconds(1));

      assertThat(https.resolveStatusUrl("https://CS.example.com:443/api/users/a@b.c/transfers/T1"))
          .hasHost("CS.example.com");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://evil.example.org/api/users/a@b.c/transfers/T1",
          "//evil.example.org/api/users/a@b.c/transfers/T1",
          "https://cs.example.com:8443/api/users/a@b.c/transfers/T1",
          "http://cs.example.com/api/users/a@b.c/transfers/T1",
          "https://user:pw@cs.example.com/api/users/a@b.c/transfers/T1",
          "https://cs.example.com@evil.example.org/api",
          "not a uri at all"
        })
    void refuses_locations_outside_the_servers_origin(String location) {
      var https = client(URI.create("https://cs.example.com"), Duration.ofSeconds(1));

      assertThatThrownBy(() -> https.resolveStatusUrl(location))
          .isInstanceOf(ForeignLocationException.class);
    }

    @Test
    void transfer_status_of_a_foreign_url_is_refused_without_sending_the_token() {
      assertThatThrownBy(
              () ->
                  client.transferStatus(
                      URI.create("http://evil.example.org" + STATUS), "secret-token"))
          .isInstanceOf(ForeignLocationException.class);
      assertThat(stub.requests()).isEmpty();
    }
  }

  @Nested
  class Requests {

    @Test
    void finalize_sends_the_api_version_client_id_and_token_headers() {
      stub.on("POST", FINALIZE, json(201, "", "Location", STATUS));

      client.finalizeSession(SENDER, TRACKING_ID, "tok-1");

      var request = stub.requests("POST", FINALIZE).getFirst();
      assertThat(request.header("X-CS-MajorApiVersion")).isEqualTo("1");
      assertThat(request.header("X-CS-MinimumMinorApiVersion")).isEqualTo("10");
      assertThat(request.header("X-CS-ClientId")).isEqualTo(CLIENT_ID);
      assertThat(request.header("X-CS-VerificationToken")).isEqualTo("tok-1");
    }

    @Test
    void a_redirect_is_an_answer_not_followed_and_a_finalize_is_sent_once() {
      var elsewhere = "/api/users/" + SENDER + "/transfer-sessions/other";
      stub.on("POST", FINALIZE, json(307, "", "Location", elsewhere));
      stub.on("POST", elsewhere, json(201, "", "Location", STATUS));

      var error =
          catchThrowableOfType(
              CryptshareException.ErrorResponse.class,
              () -> client.finalizeSession(SENDER, TRACKING_ID, "tok"));

      assertThat(error.httpStatus()).isEqualTo(307);
      assertThat(stub.requests("POST", FINALIZE)).hasSize(1);
      assertThat(stub.requests("POST", elsewhere)).isEmpty();
      assertThat(stub.requests("POST", FINALIZE).getFirst().header("Accept-Encoding"))
          .as("no compression asked for")
          .isNull();
    }

    @Test
    void transfer_status_reads_state_warnings_and_recipients() {
      stub.on(
          "GET",
          STATUS,
          json(
              200,
              """
              {"data": {"status": {"state": "active", "warnings": true, "recipients": [
                 {"mail": "bob@example.org", "downloadUrl": "https://cs.example.com/d/1",
                  "notificationFailed": true, "extra": 1}]},
               "transfer": {"unknown": "ignored"}}}
              """));

      var status = client.transferStatus(client.statusUrlOf(SENDER, TRACKING_ID), "tok");

      assertThat(status.state()).isEqualTo("ACTIVE");
      assertThat(status.warnings()).isTrue();
      assertThat(status.recipients())
          .containsExactly(
              new Recipient("bob@example.org", URI.create("https://cs.example.com/d/1"), true));
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            {"data": {}}                                                        | UNKNOWN    | 0
            {"data": {"status": {"state": "PROCESSING"}}}                       | PROCESSING | 0
            {"data": {"status": {"state": "FAILED", "recipients": "none"}}}     | FAILED     | 0
            {"data": {"status": {"recipients": [{"mail": "b@example.org"}]}}}   | UNKNOWN    | 1
            {"data": {"status": {"state": "ACTIVE", "recipients": [null, {}]}}} | ACTIVE     | 1
            not json at all                                                     | UNKNOWN    | 0
            """)
    void a_status_answer_of_an_unexpected_shape_is_read_leniently(
        String body, String state, int recipients) {
      stub.on("GET", STATUS, raw(200, "application/json", body));

      var status = client.transferStatus(client.statusUrlOf(SENDER, TRACKING_ID), "tok");

      assertThat(status.state()).isEqualTo(state);
      assertThat(status.warnings()).isFalse();
      assertThat(status.recipients()).hasSize(recipients);
    }
  }

  @Nested
  class Errors {

    /** Finalizes against a server that gives {@code answer}; returns the error it becomes. */
    private CryptshareException.ErrorResponse finalizeAnswered(StubCryptshare.Answer answer) {
      stub.on("POST", FINALIZE, answer);
      return catchThrowableOfType(
          CryptshareException.ErrorResponse.class,
          () -> client.finalizeSession(SENDER, TRACKING_ID, "tok"));
    }

    @Test
    void an_error_envelope_becomes_an_error_response_with_code_and_message() {
      var e = finalizeAnswered(error(409, 2001, "No file was uploaded"));

      assertThat(e.httpStatus()).isEqualTo(409);
      assertThat(e.errorCode()).isEqualTo(2001);
      assertThat(e.errorMessage()).isEqualTo("No file was uploaded");
      assertThat(e.retryAfter()).isNull();
      assertThat(e.isTransient()).isFalse();
      assertThat(e.isInvalidToken()).isFalse();
      assertThat(e.server()).isEqualTo("default");
    }

    @Test
    void retry_after_in_seconds_is_read_from_a_rate_limited_answer() {
      var e = finalizeAnswered(error(429, 2007, "Too many requests", "Retry-After", "7"));

      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
      assertThat(e.isTransient()).isTrue();
    }

    @Test
    void retry_after_as_http_date_is_measured_from_the_clock() {
      var e =
          finalizeAnswered(
              error(503, 5000, "Maintenance", "Retry-After", "Thu, 26 Nov 2026 10:15:30 GMT"));

      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "3601",
          "9223372036854775807",
          "99999999999999999999999",
          "Fri, 31 Dec 9999 23:59:59 GMT"
        })
    void a_retry_after_beyond_an_hour_counts_as_an_hour(String header) {
      var e = finalizeAnswered(error(429, 2007, "Too many requests", "Retry-After", header));

      assertThat(e.retryAfter()).isEqualTo(CryptshareClient.MAX_RETRY_AFTER).hasHours(1);
    }

    @Test
    void a_retry_after_in_the_past_is_zero() {
      var e =
          finalizeAnswered(
              error(503, 5000, "Maintenance", "Retry-After", "Thu, 26 Nov 2026 09:00:00 GMT"));

      assertThat(e.retryAfter()).isZero();
    }

    @Test
    void an_unreadable_retry_after_is_ignored() {
      var e = finalizeAnswered(error(503, 5000, "Maintenance", "Retry-After", "soon"));

      assertThat(e.retryAfter()).isNull();
    }

    @Test
    void an_answer_that_is_not_json_keeps_its_text_as_message() {
      var e = finalizeAnswered(raw(502, "text/html", "<html>Bad gateway</html>"));

      assertThat(e.httpStatus()).isEqualTo(502);
      assertThat(e.errorCode()).isNull();
      assertThat(e.errorMessage()).isEqualTo("<html>Bad gateway</html>");
    }

    @Test
    void an_empty_error_answer_is_named_by_its_status() {
      var e = finalizeAnswered(raw(500, "text/plain", ""));

      assertThat(e.errorMessage()).isEqualTo("HTTP 500");
    }

    @Test
    void a_refused_token_is_recognised() {
      var e = finalizeAnswered(error(401, 3002, "Invalid verification"));

      assertThat(e.isInvalidToken()).isTrue();
    }

    // Cryptshare's OpenAPI description documents 3002 under 401 and under 403.
    @ParameterizedTest
    @CsvSource({"401, 3002, true", "403, 3002, true", "403, 3010, false", "403, 3011, false"})
    void a_refused_token_is_recognised_by_its_code_3002_under_401_or_403(
        int status, int code, boolean invalidToken) {
      var e = finalizeAnswered(error(status, code, "Refused"));

      assertThat(e.isInvalidToken()).isEqualTo(invalidToken);
      assertThat(e.isTransient()).isFalse();
    }
  }

  @Nested
  class Tokens {

    @Test
    void a_token_is_requested_with_the_client_id_and_then_served_from_the_cache() {
      stub.on("POST", VERIFY, token("tok-1", "2026-11-26T11:15:00Z"));

      var first = client.token(SENDER);
      var second = client.token("Alice@Example.com");

      assertThat(first.value()).isEqualTo("tok-1");
      assertThat(first.validUntil()).isEqualTo(Instant.parse("2026-11-26T11:15:00Z"));
      assertThat(second).isEqualTo(first);
      assertThat(stub.requests("POST", VERIFY))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.header("X-CS-ClientId")).isEqualTo(CLIENT_ID);
                assertThat(r.header("X-CS-VerificationToken")).isNull();
              });
    }

    /**
     * A token valid until {@code validUntil}, fetched at NOW, is still served after {@code
     * servedAfter} and replaced by a new one after {@code renewedAfter}.
     */
    private void assertRenewal(String validUntil, Duration servedAfter, Duration renewedAfter) {
      stub.on("POST", VERIFY, token("tok-1", validUntil), token("tok-2", "2026-11-26T12:15:00Z"));
      client.token(SENDER);

      clock.set(NOW.plus(servedAfter));
      assertThat(client.token(SENDER).value()).isEqualTo("tok-1");
      clock.set(NOW.plus(renewedAfter));
      assertThat(client.token(SENDER).value()).isEqualTo("tok-2");
      assertThat(stub.requests("POST", VERIFY)).hasSize(2);
    }

    /** The server hands out tok-1, then tok-2, each valid for an hour. */
    private void issuingTwoTokens() {
      stub.on(
          "POST",
          VERIFY,
          token("tok-1", "2026-11-26T11:15:00Z"),
          token("tok-2", "2026-11-26T11:15:00Z"));
    }

    @Test
    void a_token_is_renewed_once_it_enters_the_refresh_margin() {
      // Valid for an hour; the refresh margin is 5 minutes.
      assertRenewal("2026-11-26T11:15:00Z", Duration.ofMinutes(54), Duration.ofMinutes(55));
    }

    @Test
    void a_token_shorter_lived_than_the_margin_is_reused_for_half_its_lifetime() {
      // Valid for 2 minutes: reused for one.
      assertRenewal("2026-11-26T10:17:00Z", Duration.ofSeconds(59), Duration.ofSeconds(60));
    }

    @Test
    void a_token_without_validity_is_kept_for_a_short_while() {
      stub.on("POST", VERIFY, json(201, "{\"data\": {\"token\": \"tok-1\"}}"));

      assertThat(client.token(SENDER).validUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    }

    @Test
    void an_invalidated_token_is_replaced_on_the_next_call() {
      issuingTwoTokens();
      var refused = client.token(SENDER);

      client.invalidateToken(SENDER, refused);

      assertThat(client.token(SENDER).value()).isEqualTo("tok-2");
    }

    @Test
    void invalidating_an_older_token_keeps_the_newer_one() {
      issuingTwoTokens();
      var old = client.token(SENDER);
      client.invalidateToken(SENDER, old);
      var newer = client.token(SENDER);

      client.invalidateToken(SENDER, old);

      assertThat(client.token(SENDER)).isEqualTo(newer);
      assertThat(stub.requests("POST", VERIFY)).hasSize(2);
    }

    @Test
    void concurrent_callers_for_one_sender_share_one_token_request() throws Exception {
      stub.on("POST", VERIFY, token("tok-1", "2026-11-26T11:15:00Z"));

      var results = new ArrayList<Future<VerificationToken>>();
      try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 16; i++) {
          results.add(executor.submit(() -> client.token(SENDER)));
        }
      }

      for (var result : results) {
        assertThat(result.get().value()).isEqualTo("tok-1");
      }
      assertThat(stub.requests("POST", VERIFY)).hasSize(1);
    }

    @Test
    void a_refused_token_request_is_an_error_response() {
      stub.on("POST", VERIFY, error(403, 3002, "Invalid verification data"));

      assertThatThrownBy(() -> client.token(SENDER))
          .isInstanceOfSatisfying(
              CryptshareException.ErrorResponse.class,
              e -> assertThat(e.httpStatus()).isEqualTo(403));
    }

    @Test
    void the_token_never_appears_in_its_string_form() {
      assertThat(new VerificationToken("tok-secret", NOW).toString()).doesNotContain("tok-secret");
    }
  }

  @Nested
  class FailureClasses {

    @Test
    void a_refused_connection_is_unreachable() throws IOException {
      URI closed;
      try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
      }
      var unreachable = client(closed, Duration.ofSeconds(2));

      assertThatThrownBy(() -> unreachable.finalizeSession(SENDER, TRACKING_ID, "tok"))
          .isInstanceOf(CryptshareException.Unreachable.class);
    }

    @Test
    void an_unknown_host_is_unreachable() {
      var unreachable = client(URI.create("http://cryptshare.invalid"), Duration.ofSeconds(2));

      assertThatThrownBy(() -> unreachable.finalizeSession(SENDER, TRACKING_ID, "tok"))
          .isInstanceOf(CryptshareException.Unreachable.class);
    }

    @Test
    void no_answer_within_the_read_timeout_is_an_unknown_outcome() {
      stub.on("POST", FINALIZE, stub.hang());
      var impatient = client(stub.baseUrl(), Duration.ofMillis(300));

      assertThatThrownBy(() -> impatient.finalizeSession(SENDER, TRACKING_ID, "tok"))
          .isInstanceOf(CryptshareException.OutcomeUnknown.class);
      assertThat(stub.requests("POST", FINALIZE)).hasSize(1);
    }

    @Test
    void a_connection_dropped_after_the_request_is_an_unknown_outcome() throws Exception {
      try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        // Reads the whole request, then hangs up without a word: a lost answer.
        var received =
            executor.submit(
                () -> {
                  try (var connection = socket.accept()) {
                    return readHead(connection.getInputStream());
                  }
                });
        var dropping =
            client(URI.create("http://127.0.0.1:" + socket.getLocalPort()), Duration.ofSeconds(5));

        assertThatThrownBy(() -> dropping.finalizeSession(SENDER, TRACKING_ID, "tok"))
            .isInstanceOf(CryptshareException.OutcomeUnknown.class);
        assertThat(received.get()).startsWith("POST " + FINALIZE);
      }
    }

    private static String readHead(InputStream in) throws IOException {
      var head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.append((char) b);
      }
      return new String(
          head.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
  }
}

package io.github.cspipeline.testkit;

import static io.github.cspipeline.testkit.StubCryptshare.error;
import static io.github.cspipeline.testkit.StubCryptshare.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StubCryptshareTest {

  private final StubCryptshare stub = new StubCryptshare();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    stub.close();
    http.close();
  }

  private HttpResponse<String> send(String method, String path, String... headers) {
    var request =
        HttpRequest.newBuilder(stub.baseUrl().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void answers_an_unscripted_request_with_no_such_endpoint_and_records_it() {
    var response = send("GET", "/api/anything");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("1006");
    assertThat(stub.requests())
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.method()).isEqualTo("GET");
              assertThat(request.path()).isEqualTo("/api/anything");
            });
  }

  @Test
  void plays_a_script_in_turn_and_repeats_its_last_answer() {
    stub.on("GET", "/x", json(200, "{\"n\": 1}"), json(200, "{\"n\": 2}"));

    assertThat(send("GET", "/x").body()).isEqualTo("{\"n\": 1}");
    assertThat(send("GET", "/x").body()).isEqualTo("{\"n\": 2}");
    assertThat(send("GET", "/x").body()).isEqualTo("{\"n\": 2}");
    assertThat(stub.requests("GET", "/x")).hasSize(3);
  }

  @Test
  void a_later_script_overrides_a_default_and_headers_are_sent() {
    stub.answeringStatus(StubCryptshare.state("PROCESSING"));
    stub.onStatus("t-1", error(429, 2007, "busy", "Retry-After", "7"));

    var scripted = send("GET", StubCryptshare.statusPath("a@example.com", "t-1"));
    var defaulted = send("GET", StubCryptshare.statusPath("a@example.com", "t-2"));

    assertThat(scripted.statusCode()).isEqualTo(429);
    assertThat(scripted.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(defaulted.statusCode()).isEqualTo(200);
    assertThat(defaulted.body()).contains("PROCESSING");
    assertThat(stub.statusCalls("t-1")).isEqualTo(1);
    assertThat(stub.statusCallTimes("t-2")).hasSize(1);
  }

  @Test
  void issues_unique_tokens_and_refuses_the_chosen_one_once() {
    stub.issuingTokens().finalizingSessions().listShows(Map.of("t-1", "ACTIVE"));
    stub.refuseIssuedToken(1, error(401, 3002, "refused"));

    send("POST", StubCryptshare.tokenPath("a@example.com"));
    send("POST", StubCryptshare.tokenPath("a@example.com"));
    var first = stub.issuedTokens().getFirst();
    var refused =
        send("GET", "/api/users/a@example.com/transfers", "X-CS-VerificationToken", first);
    var again = send("GET", "/api/users/a@example.com/transfers", "X-CS-VerificationToken", first);
    var finalized = send("POST", StubCryptshare.finalizePath("a@example.com", "t-1"));

    assertThat(stub.issuedTokens()).hasSize(2).doesNotHaveDuplicates();
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).contains("\"t-1\"");
    assertThat(stub.listCalls()).isEqualTo(2);
    assertThat(finalized.statusCode()).isEqualTo(201);
    assertThat(finalized.headers().firstValue("Location"))
        .hasValue(StubCryptshare.statusPath("a@example.com", "t-1"));
  }
}

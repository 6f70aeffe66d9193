package io.github.cspipeline.simulator.api;

import static io.github.cspipeline.simulator.SimulatorClient.CLIENT_ID;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiHeadersTest extends SimulatorTestSupport {

  private static final String STATUS_PATH = "/api/users/" + SENDER + "/transfers";

  @ParameterizedTest
  @ValueSource(strings = {"X-CS-MajorApiVersion", "X-CS-MinimumMinorApiVersion", "X-CS-ClientId"})
  void answers_400_1002_when_a_required_header_is_missing(String missing) {
    HttpRequest.Builder request = simulator.plain(STATUS_PATH);
    if (!missing.equals("X-CS-MajorApiVersion")) {
      request.header("X-CS-MajorApiVersion", "1");
    }
    if (!missing.equals("X-CS-MinimumMinorApiVersion")) {
      request.header("X-CS-MinimumMinorApiVersion", "10");
    }
    if (!missing.equals("X-CS-ClientId")) {
      request.header("X-CS-ClientId", CLIENT_ID);
    }

    Response response = simulator.send(request);

    assertError(response, 400, 1002);
    assertThat(response.json().get("errorMessage").asString()).contains(missing);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"tooShort123", "has-dashes-" + "0123456789012345678901234567890123456789"})
  void answers_400_1004_when_the_client_id_is_malformed(String clientId) {
    Response response =
        simulator.send(
            simulator
                .plain(STATUS_PATH)
                .header("X-CS-MajorApiVersion", "1")
                .header("X-CS-MinimumMinorApiVersion", "10")
                .header("X-CS-ClientId", clientId));

    assertError(response, 400, 1004);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "answers 400/1004 when a version header is not a number, X-CS-MajorApiVersion, one, 400, 1004",
    "answers 404/2004 when the client needs a newer minor version, X-CS-MinimumMinorApiVersion, 19,"
        + " 404, 2004",
    "answers 404/2004 for another major version, X-CS-MajorApiVersion, 2, 404, 2004"
  })
  void answers_an_error_to_a_version_header_it_cannot_serve(
      String description, String header, String value, int status, int errorCode) {
    Response response = simulator.send(simulator.api(STATUS_PATH).setHeader(header, value));

    assertError(response, status, errorCode);
  }

  @Test
  void accepts_the_newest_minor_version_it_implements() {
    Response response =
        simulator.send(
            simulator.api("/api/clients").setHeader("X-CS-MinimumMinorApiVersion", "18"));

    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void answers_400_1004_for_an_unknown_product_key() {
    Response response =
        simulator.send(simulator.api("/api/clients").header("X-CS-ProductKey", "api.other"));

    assertError(response, 400, 1004);
  }

  @Test
  void accepts_every_header_as_a_query_parameter() {
    String token = simulator.token(SENDER);
    String query =
        "?major-api-version=1&minimum-minor-api-version=10&product-key=api.rest&client-id="
            + CLIENT_ID
            + "&verification-token="
            + token;

    Response response = simulator.send(simulator.plain(STATUS_PATH + query));

    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.json().has("data")).isTrue();
  }

  @Test
  void hands_out_a_valid_client_id_even_to_a_client_without_one() {
    Response response =
        simulator.send(
            simulator
                .plain("/api/clients")
                .header("X-CS-MajorApiVersion", "1")
                .header("X-CS-MinimumMinorApiVersion", "10"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.data().get("clientId").asString()).matches("[A-Za-z0-9]{50,4000}");
    assertThat(response.json().get("meta").isObject()).isTrue();
  }

  @Test
  void answers_404_1006_with_the_error_envelope_for_an_unknown_endpoint() {
    Response response = simulator.send(simulator.plain("/api/no/such/endpoint"));

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.header("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(response.json().propertyNames())
        .containsExactlyInAnyOrder("errorCode", "errorMessage");
    assertThat(response.errorCode()).isEqualTo(1006);
  }

  @Test
  void answers_405_with_the_error_envelope_for_a_wrong_method() {
    Response response = simulator.send(simulator.api("/api/clients").DELETE());

    assertError(response, 405, 1006);
  }

  @Test
  void answers_400_1004_with_the_error_envelope_for_an_unreadable_body() {
    String token = simulator.token(SENDER);

    Response response =
        simulator.send(
            SimulatorClient.post(
                simulator.api(SimulatorClient.sessionsPath(SENDER), token), "{\"recipients\":"));

    assertError(response, 400, 1004);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not-an-email", "two@at@example.com"})
  void answers_400_1005_for_a_malformed_sender(String sender) {
    Response response =
        simulator.send(
            simulator
                .api("/api/users/" + sender + "/verification/token")
                .POST(BodyPublishers.noBody()));

    assertError(response, 400, 1005);
  }

  @Test
  void answers_400_1005_for_a_malformed_tracking_id() {
    String token = simulator.token(SENDER);

    Response response = simulator.status(SENDER, token, "bad.tracking.id");

    assertError(response, 400, 1005);
  }
}

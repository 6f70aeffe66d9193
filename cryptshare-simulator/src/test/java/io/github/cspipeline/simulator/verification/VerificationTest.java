package io.github.cspipeline.simulator.verification;

import static io.github.cspipeline.simulator.SimulatorClient.OTHER_CLIENT_ID;
import static io.github.cspipeline.simulator.SimulatorClient.OTHER_SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.verificationPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class VerificationTest extends SimulatorTestSupport {

  @Test
  void issues_a_token_valid_for_one_hour_to_any_sender_in_client_id_mode() {
    Response response =
        simulator.send(
            simulator.api(verificationPath(SENDER) + "/token").POST(BodyPublishers.noBody()));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.data().get("token").asString()).isNotBlank();
    assertThat(OffsetDateTime.parse(response.data().get("validUntil").asString()).toInstant())
        .isEqualTo(START.plus(Duration.ofHours(1)));
  }

  @Test
  void binds_the_token_to_client_id_and_sender() {
    String token = simulator.token(SENDER);

    Response ownSender = simulator.list(SENDER, token, "");
    Response otherSender = simulator.list(OTHER_SENDER, token, "");
    Response otherClient =
        simulator.send(
            simulator
                .api("/api/users/" + SENDER + "/transfers", token)
                .setHeader("X-CS-ClientId", OTHER_CLIENT_ID));

    assertThat(ownSender.status()).isEqualTo(200);
    assertThat(List.of(otherSender, otherClient))
        .allSatisfy(response -> assertError(response, 401, 3002));
  }

  @Test
  void matches_the_sender_address_case_insensitively() {
    String token = simulator.token("Alice@Example.com");

    assertThat(simulator.list("alice@example.com", token, "").status()).isEqualTo(200);
  }

  @Test
  void answers_401_3002_without_a_token_or_with_an_unknown_one() {
    Response missing = simulator.send(simulator.api("/api/users/" + SENDER + "/transfers"));
    Response unknown = simulator.list(SENDER, "noSuchToken", "");

    assertThat(List.of(missing, unknown)).allSatisfy(response -> assertError(response, 401, 3002));
  }

  @Test
  void rejects_a_token_once_it_expired() {
    String token = simulator.token(SENDER);

    clock.advance(Duration.ofMinutes(59));
    Response beforeExpiry = simulator.list(SENDER, token, "");
    clock.advance(Duration.ofMinutes(1));
    Response atExpiry = simulator.list(SENDER, token, "");

    assertThat(beforeExpiry.status()).isEqualTo(200);
    assertError(atExpiry, 401, 3002);
  }

  @Test
  void reports_the_verification_status_of_a_token() {
    String token = simulator.token(SENDER);

    JsonNode withToken = simulator.send(simulator.api(verificationPath(SENDER), token)).data();
    JsonNode withoutToken = simulator.send(simulator.api(verificationPath(SENDER))).data();

    assertThat(withToken.get("verified").asBoolean()).isTrue();
    assertThat(withToken.get("validUntil").asString()).isEqualTo("2026-11-26T11:15:00+00:00");
    assertThat(withToken.get("verificationMethods").values())
        .extracting(JsonNode::asString)
        .containsExactlyInAnyOrder("CLIENT_ID", "EMAIL");
    assertThat(withoutToken.get("verified").asBoolean()).isFalse();
    assertThat(withoutToken.get("validUntil").isNull()).isTrue();
  }

  @Test
  void refuses_every_sender_endpoint_while_the_control_api_marks_the_sender_unverified() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    String transferId = simulator.finalizedTransfer(SENDER, token);

    simulator.setVerified(SENDER, false);
    List<Function<String, Response>> calls =
        List.of(
            t -> simulator.createSessionResponse(SENDER, t, SimulatorClient.RECIPIENT),
            t -> simulator.addFileResponse(SENDER, t, trackingId, "more.pdf", 1),
            t -> simulator.session(SENDER, t, trackingId),
            t -> simulator.finalizeTransfer(SENDER, t, trackingId),
            t -> simulator.status(SENDER, t, transferId),
            t -> simulator.list(SENDER, t, ""));
    String freshToken = simulator.token(SENDER);

    for (String anyToken : List.of(token, freshToken)) {
      assertThat(calls)
          .allSatisfy(
              call -> {
                Response response = call.apply(anyToken);
                assertThat(response.status()).as(response.body()).isEqualTo(401);
                assertThat(response.errorCode()).isEqualTo(3002);
              });
    }
    assertThat(
            simulator
                .send(simulator.api(verificationPath(SENDER), token))
                .data()
                .get("verified")
                .asBoolean())
        .isFalse();

    simulator.setVerified(SENDER, true);
    assertThat(simulator.finalizeTransfer(SENDER, token, trackingId).status()).isEqualTo(201);
  }

  @Test
  void answers_403_3002_on_finalize_status_and_list_after_a_revocation_when_the_sender_is_set_so() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    String transferId = simulator.finalizedTransfer(SENDER, token);
    simulator.updateSender(SENDER, "{\"invalidTokenStatus\": 403}");

    simulator.controlOk("DELETE", "/simulator/senders/" + SENDER + "/tokens", null);
    List<Response> refused =
        List.of(
            simulator.finalizeTransfer(SENDER, token, trackingId),
            simulator.status(SENDER, token, transferId),
            simulator.list(SENDER, token, ""));

    assertThat(refused)
        .allSatisfy(
            response -> {
              assertThat(response.status()).as(response.body()).isEqualTo(403);
              assertThat(response.errorCode()).isEqualTo(3002);
            });
    assertThat(simulator.transferCalls(trackingId).get("finalizeOutcomes"))
        .isEqualTo(SimulatorClient.outcomes(0, 1, 0, 0));
    assertThat(simulator.status(SENDER, simulator.token(SENDER), transferId).status())
        .isEqualTo(200);
  }

  @Test
  void answers_403_3002_to_an_unverified_sender_set_so_and_401_again_once_set_back() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.updateSender(SENDER, "{\"verified\": false, \"invalidTokenStatus\": 403}");

    Response forbidden = simulator.finalizeTransfer(SENDER, token, trackingId);
    Response otherSender = simulator.list(OTHER_SENDER, simulator.token(OTHER_SENDER), "");
    simulator.updateSender(SENDER, "{\"invalidTokenStatus\": 401}");
    Response unauthorized = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertError(forbidden, 403, 3002);
    assertThat(otherSender.status()).isEqualTo(200);
    assertError(unauthorized, 401, 3002);
  }

  @Test
  void answers_a_session_token_mismatch_with_the_senders_invalid_token_status() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.updateSender(SENDER, "{\"invalidTokenStatus\": 403}");

    Response response = simulator.finalizeTransfer(SENDER, simulator.token(SENDER), trackingId);

    assertError(response, 403, 3002);
  }

  @Test
  void verifies_by_a_mailed_code_that_the_control_api_reveals() {
    Response codeSent =
        simulator.send(
            simulator.api(verificationPath(SENDER) + "/code/email").POST(BodyPublishers.noBody()));
    String code =
        simulator
            .controlOk("GET", "/simulator/senders/" + SENDER, null)
            .get("verificationCode")
            .asString();

    Response wrongCode =
        simulator.send(
            SimulatorClient.post(
                simulator.api(verificationPath(SENDER) + "/token"),
                "{\"verificationCode\":\"not-" + code + "\"}"));
    Response rightCode =
        simulator.send(
            SimulatorClient.post(
                simulator.api(verificationPath(SENDER) + "/token"),
                "{\"verificationCode\":\"" + code + "\"}"));
    Response reusedCode =
        simulator.send(
            SimulatorClient.post(
                simulator.api(verificationPath(SENDER) + "/token"),
                "{\"verificationCode\":\"" + code + "\"}"));

    assertThat(codeSent.status()).isEqualTo(200);
    assertThat(code).matches("\\d{6}");
    assertError(wrongCode, 403, 3002);
    assertThat(rightCode.status()).isEqualTo(200);
    assertThat(simulator.list(SENDER, rightCode.data().get("token").asString(), "").status())
        .isEqualTo(200);
    assertThat(reusedCode.status()).isEqualTo(403);
  }
}

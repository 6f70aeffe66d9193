package io.github.cspipeline.simulator.transfer;

import static io.github.cspipeline.simulator.SimulatorClient.OTHER_SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.RECIPIENT;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.statusPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class FinalizeTest extends SimulatorTestSupport {

  @Test
  void finalizes_a_complete_session_with_201_and_the_absolute_status_url() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);

    Response response = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.location()).isEqualTo(simulator.base() + statusPath(SENDER, trackingId));
    assertThat(response.body()).isEmpty();
    assertThat(simulator.state(SENDER, token, trackingId)).isEqualTo("PROCESSING");
  }

  @Test
  void builds_the_status_url_from_the_host_the_request_used() {
    SimulatorClient byAddress = new SimulatorClient("127.0.0.1", port);
    String token = byAddress.token(SENDER);
    String trackingId = byAddress.completeSession(SENDER, token);

    Response response = byAddress.finalizeTransfer(SENDER, token, trackingId);

    assertThat(response.location())
        .isEqualTo("http://127.0.0.1:" + port + statusPath(SENDER, trackingId));
  }

  @Test
  void closes_every_session_endpoint_of_a_finalized_tracking_id() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    List<Response> afterwards =
        List.of(
            simulator.session(SENDER, token, trackingId),
            simulator.addFileResponse(SENDER, token, trackingId, "late.pdf", 1),
            simulator.finalizeTransfer(SENDER, token, trackingId));

    assertThat(afterwards).allSatisfy(response -> assertError(response, 404, 2003));
  }

  @Test
  void answers_404_2003_to_a_second_finalize() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);

    Response first = simulator.finalizeTransfer(SENDER, token, trackingId);
    Response second = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertThat(first.status()).isEqualTo(201);
    assertError(second, 404, 2003);
  }

  @Test
  void answers_404_2003_for_an_unknown_tracking_id() {
    String token = simulator.token(SENDER);

    Response response = simulator.finalizeTransfer(SENDER, token, "20261126-101500-unknown1");

    assertError(response, 404, 2003);
  }

  @Test
  void refuses_finalize_for_an_unverified_sender_with_401_3002() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.setVerified(SENDER, false);

    Response response = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertError(response, 401, 3002);
    assertThat(simulator.transferCalls(trackingId).get("state").isNull()).isTrue();
  }

  @Test
  void refuses_finalize_without_any_file_with_409_2001() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);

    Response response = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertError(response, 409, 2001);
    assertThat(simulator.session(SENDER, token, trackingId).status()).isEqualTo(200);
  }

  @Test
  void refuses_finalize_while_a_file_is_not_fully_uploaded_with_409_2001() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    String pending = simulator.addFile(SENDER, token, trackingId, "second.pdf", 10);
    simulator.upload(SENDER, token, trackingId, pending, new byte[9]);

    Response refused = simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.upload(SENDER, token, trackingId, pending, new byte[10]);
    Response accepted = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertError(refused, 409, 2001);
    assertThat(accepted.status()).isEqualTo(201);
  }

  @Test
  void refuses_finalize_with_another_token_of_the_same_sender() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);

    Response response = simulator.finalizeTransfer(SENDER, simulator.token(SENDER), trackingId);

    assertError(response, 401, 3002);
  }

  @Test
  void answers_404_2003_when_another_sender_finalizes_the_session() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);

    Response response =
        simulator.finalizeTransfer(OTHER_SENDER, simulator.token(OTHER_SENDER), trackingId);

    assertError(response, 404, 2003);
  }

  @Test
  void finalizes_exactly_once_under_concurrent_requests() throws Exception {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    List<Callable<Integer>> finalizes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      finalizes.add(() -> simulator.finalizeTransfer(SENDER, token, trackingId).status());
    }

    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (Future<Integer> status : pool.invokeAll(finalizes)) {
        statuses.add(status.get());
      }
    }

    assertThat(statuses).containsOnlyOnce(201).containsOnly(201, 404);
    assertThat(simulator.transferCalls(trackingId).get("finalizeCalls").asInt()).isEqualTo(8);
  }

  @Test
  void finalizes_a_seeded_session_with_any_valid_token_of_its_sender() {
    JsonNode seeded =
        simulator.controlOk(
            "POST",
            "/simulator/sessions",
            """
            {"sender": "alice@example.com", "trackingId": "20261126-101500-seeded01",
             "recipients": ["bob@example.org", "carol@example.org"],
             "files": [{"name": "a.pdf", "size": 10, "uploaded": true}]}
            """);

    Response response =
        simulator.finalizeTransfer(SENDER, simulator.token(SENDER), "20261126-101500-seeded01");

    assertThat(seeded.get("statusUrl").asString())
        .isEqualTo(simulator.base() + statusPath(SENDER, "20261126-101500-seeded01"));
    assertThat(response.status()).isEqualTo(201);
    assertThat(response.location()).isEqualTo(seeded.get("statusUrl").asString());
  }

  @Test
  void refuses_a_seeded_session_with_a_file_not_uploaded() {
    simulator.controlOk(
        "POST",
        "/simulator/sessions",
        """
        {"sender": "alice@example.com", "trackingId": "seeded-incomplete",
         "files": [{"name": "a.pdf", "size": 10, "uploaded": false}]}
        """);

    Response response =
        simulator.finalizeTransfer(SENDER, simulator.token(SENDER), "seeded-incomplete");

    assertError(response, 409, 2001);
  }

  @Test
  void finalizes_an_unknown_tracking_id_as_a_complete_session_in_auto_session_mode() {
    simulator.configure("{\"autoSessions\": true}");
    String token = simulator.token(SENDER);

    Response first = simulator.finalizeTransfer(SENDER, token, "20261126-101500-AbCdEfGh");
    Response second = simulator.finalizeTransfer(SENDER, token, "20261126-101500-AbCdEfGh");
    JsonNode status = simulator.status(SENDER, token, "20261126-101500-AbCdEfGh").data();

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.location())
        .isEqualTo(simulator.base() + statusPath(SENDER, "20261126-101500-AbCdEfGh"));
    assertError(second, 404, 2003);
    assertThat(status.get("status").get("recipients").get(0).get("mail").asString())
        .isEqualTo("recipient@example.org");
    assertThat(status.get("status").get("files").values()).hasSize(1);
    assertThat(status.get("transfer").get("files").get(0).get("state").asString())
        .isEqualTo("UPLOADED");
  }

  @Test
  void still_checks_the_sender_in_auto_session_mode() {
    simulator.configure("{\"autoSessions\": true}");
    String token = simulator.token(SENDER);
    simulator.setVerified(SENDER, false);

    Response response = simulator.finalizeTransfer(SENDER, token, "20261126-101500-AbCdEfGh");

    assertError(response, 401, 3002);
  }

  @ParameterizedTest
  @CsvSource({
    "SENDER_REJECTED, 3010, Sender rejected by policy.",
    "SENDER_RECIPIENT_REJECTED, 3011, Recipient and sender combination rejected by policy."
  })
  void refuses_finalize_of_a_sender_rejected_by_policy_with_403_and_no_effect(
      String policy, int errorCode, String message) {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.updateSender(SENDER, "{\"policy\": \"" + policy + "\"}");

    Response refused = simulator.finalizeTransfer(SENDER, token, trackingId);
    JsonNode calls = simulator.transferCalls(trackingId);
    simulator.updateSender(SENDER, "{\"policy\": null}");
    Response accepted = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.errorCode()).isEqualTo(errorCode);
    assertThat(refused.json().get("errorMessage").asString()).isEqualTo(message);
    assertThat(calls.get("state").isNull()).isTrue();
    assertThat(calls.get("sessionOpen").asBoolean()).isTrue();
    assertThat(calls.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(0, 1, 0, 0));
    assertThat(accepted.status()).isEqualTo(201);
  }

  @Test
  void applies_a_senders_policy_in_auto_session_mode_and_to_that_sender_only() {
    simulator.configure("{\"autoSessions\": true}");
    simulator.updateSender(SENDER, "{\"policy\": \"SENDER_REJECTED\"}");

    Response refused =
        simulator.finalizeTransfer(SENDER, simulator.token(SENDER), "20261126-101500-AbCdEfGh");
    Response other =
        simulator.finalizeTransfer(
            OTHER_SENDER, simulator.token(OTHER_SENDER), "20261126-101500-Other001");

    assertError(refused, 403, 3010);
    assertThat(simulator.transferCalls("20261126-101500-AbCdEfGh").get("state").isNull()).isTrue();
    assertThat(other.status()).isEqualTo(201);
  }

  @Test
  void answers_404_not_the_policy_to_a_finalize_of_an_already_finalized_session() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);
    simulator.updateSender(SENDER, "{\"policy\": \"SENDER_REJECTED\"}");

    Response again = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertError(again, 404, 2003);
  }
}

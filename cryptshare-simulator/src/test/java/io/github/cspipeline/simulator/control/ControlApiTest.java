package io.github.cspipeline.simulator.control;

import static io.github.cspipeline.simulator.SimulatorClient.OTHER_SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import io.github.cspipeline.simulator.stats.Endpoint;
import io.github.cspipeline.simulator.stats.FinalizeOutcome;
import io.github.cspipeline.simulator.stats.RequestStats;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class ControlApiTest extends SimulatorTestSupport {

  @Autowired private RequestStats stats;

  @Test
  void starts_from_the_documented_defaults() {
    JsonNode config = simulator.controlOk("GET", "/simulator/config", null);

    assertThat(config.get("autoSessions").asBoolean()).isFalse();
    assertThat(config.get("processingTime").asString()).isEqualTo("PT2S");
    assertThat(config.get("failedRatio").asDouble()).isZero();
  }

  @Test
  void updates_the_configuration_partially() {
    simulator.configure("{\"processingTime\": \"PT0.5S\"}");
    JsonNode config = simulator.controlOk("PUT", "/simulator/config", "{\"autoSessions\": true}");

    assertThat(config.get("autoSessions").asBoolean()).isTrue();
    assertThat(config.get("processingTime").asString()).isEqualTo("PT0.5S");
    assertThat(config.get("failedRatio").asDouble()).isZero();
  }

  @Test
  void refuses_an_invalid_configuration_with_a_problem_detail() {
    Response response = simulator.control("PUT", "/simulator/config", "{\"failedRatio\": 1.5}");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.header("Content-Type")).hasValue("application/problem+json");
    assertThat(response.json().get("detail").asString()).contains("failedRatio");
  }

  @Test
  void counts_every_finalize_and_status_call_of_a_tracking_id_including_refused_ones() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, "bob@example.org");

    simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.status(SENDER, token, trackingId);
    String fileId = simulator.addFile(SENDER, token, trackingId, "a.pdf", 1);
    simulator.upload(SENDER, token, trackingId, fileId, new byte[1]);
    simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.status(SENDER, token, trackingId);
    simulator.status(SENDER, "badToken", trackingId);

    JsonNode calls = simulator.transferCalls(trackingId);
    assertThat(calls.get("trackingId").asString()).isEqualTo(trackingId);
    assertThat(calls.get("state").asString()).isEqualTo("PROCESSING");
    assertThat(calls.get("finalizeCalls").asInt()).isEqualTo(3);
    assertThat(calls.get("statusCalls").asInt()).isEqualTo(3);
    assertThat(calls.get("sessionOpen").asBoolean()).isFalse();
  }

  @Test
  void counts_each_finalize_once_by_its_outcome_and_tells_the_effective_one_apart() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, "bob@example.org");

    simulator.finalizeTransfer(SENDER, token, trackingId);
    String fileId = simulator.addFile(SENDER, token, trackingId, "a.pdf", 1);
    simulator.upload(SENDER, token, trackingId, fileId, new byte[1]);
    simulator.finalizeTransfer(SENDER, "badToken", trackingId);
    simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.finalizeTransfer(SENDER, token, trackingId);

    JsonNode calls = simulator.transferCalls(trackingId);
    assertThat(calls.get("finalizeCalls").asInt()).isEqualTo(4);
    assertThat(calls.get("effectiveFinalizes").asInt()).isEqualTo(1);
    assertThat(calls.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(1, 2, 1, 0));
  }

  @Test
  void reports_zero_outcomes_for_a_tracking_id_never_finalized() {
    JsonNode calls = simulator.transferCalls("20261126-101500-never001");

    assertThat(calls.get("effectiveFinalizes").asInt()).isZero();
    assertThat(calls.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(0, 0, 0, 0));
  }

  @Test
  void lists_every_tracking_id_with_a_finalize_call_and_only_those() {
    String token = simulator.token(SENDER);
    String finalized = simulator.completeSession(SENDER, token);
    String refused = simulator.createSession(SENDER, token, "bob@example.org");
    String neverFinalized = simulator.completeSession(SENDER, token);
    simulator.finalizeTransfer(SENDER, token, finalized);
    simulator.finalizeTransfer(SENDER, token, finalized);
    simulator.status(SENDER, token, finalized);
    simulator.finalizeTransfer(SENDER, token, refused);
    simulator.finalizeTransfer(OTHER_SENDER, token, "20261126-101500-unknown1");
    simulator.controlOk(
        "POST", "/simulator/transfers", "{\"senders\": [\"alice@example.com\"], \"count\": 3}");

    JsonNode transfers = simulator.finalizedTransfers();

    assertThat(transfers.values())
        .extracting(transfer -> transfer.get("trackingId").asString())
        .containsExactlyInAnyOrder(finalized, refused, "20261126-101500-unknown1")
        .doesNotContain(neverFinalized);
    JsonNode first = find(transfers, finalized);
    assertThat(first.get("sender").asString()).isEqualTo(SENDER);
    assertThat(first.get("state").asString()).isEqualTo("PROCESSING");
    assertThat(first.get("finalizeCalls").asInt()).isEqualTo(2);
    assertThat(first.get("statusCalls").asInt()).isEqualTo(1);
    assertThat(first.get("effectiveFinalizes").asInt()).isEqualTo(1);
    assertThat(first.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(1, 0, 1, 0));
    JsonNode open = find(transfers, refused);
    assertThat(open.get("sender").asString()).isEqualTo(SENDER);
    assertThat(open.get("state").isNull()).isTrue();
    assertThat(open.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(0, 1, 0, 0));
    JsonNode unknown = find(transfers, "20261126-101500-unknown1");
    assertThat(unknown.get("sender").asString()).isEqualTo(OTHER_SENDER);
    assertThat(unknown.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(0, 1, 0, 0));
  }

  @Test
  void lists_20000_finalized_transfers_in_one_quick_request() {
    simulator.controlOk(
        "POST",
        "/simulator/transfers",
        "{\"senders\": [\"alice@example.com\", \"carol@example.com\"], \"count\": 20000,"
            + " \"trackingIdPrefix\": \"Audit\"}");
    for (int i = 0; i < 20_000; i++) {
      String trackingId = "Audit-%06d".formatted(i);
      stats.record(
          new Endpoint.Classified(Endpoint.FINALIZE, trackingId, "alice@example.com"), null);
      stats.finalizeEnded(trackingId, FinalizeOutcome.CREATED);
    }

    simulator.finalizedTransfers();
    long started = System.nanoTime();
    JsonNode transfers = simulator.finalizedTransfers();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(transfers.size()).isEqualTo(20_000);
    assertThat(transfers.get(19_999).get("trackingId").asString()).isEqualTo("Audit-019999");
    assertThat(transfers.get(19_999).get("effectiveFinalizes").asInt()).isEqualTo(1);
    assertThat(took).isLessThan(Duration.ofSeconds(3));
  }

  private static JsonNode find(JsonNode transfers, String trackingId) {
    return transfers.values().stream()
        .filter(transfer -> transfer.get("trackingId").asString().equals(trackingId))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void keeps_the_traceparent_of_the_last_finalize_of_a_tracking_id() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    String first = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String second = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-00";

    simulator.send(
        simulator.finalizeRequest(SENDER, token, trackingId).header("traceparent", first));
    assertThat(simulator.transferCalls(trackingId).get("lastFinalizeTraceparent").asString())
        .isEqualTo(first);
    simulator.send(
        simulator.finalizeRequest(SENDER, token, trackingId).header("traceparent", second));
    simulator.status(SENDER, token, trackingId);

    JsonNode calls = simulator.transferCalls(trackingId);
    assertThat(calls.get("finalizeCalls").asInt()).isEqualTo(2);
    assertThat(calls.get("lastFinalizeTraceparent").asString())
        .as("the last finalize's, also when it was refused; status calls do not count")
        .isEqualTo(second);
  }

  @Test
  void keeps_the_traceparent_of_the_last_status_request_of_a_tracking_id() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    String first = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";
    String second = "00-4bf92f3577b34da6a3ce929d0e0e4736-53995c3f42cd8ad8-00";
    simulator.finalizeTransfer(SENDER, token, trackingId);
    assertThat(lastStatusTraceparent(trackingId)).as("no status request yet").isNull();

    simulator.send(simulator.statusRequest(SENDER, token, trackingId).header("traceparent", first));
    assertThat(lastStatusTraceparent(trackingId)).isEqualTo(first);
    simulator.send(
        simulator.statusRequest(SENDER, "badToken", trackingId).header("traceparent", second));
    simulator.send(
        simulator.finalizeRequest(SENDER, token, trackingId).header("traceparent", first));

    assertThat(simulator.transferCalls(trackingId).get("statusCalls").asInt()).isEqualTo(2);
    assertThat(lastStatusTraceparent(trackingId))
        .as("the last status request's, also when it was refused; finalize calls do not count")
        .isEqualTo(second);
    simulator.status(SENDER, token, trackingId);
    assertThat(lastStatusTraceparent(trackingId)).as("a status request without one").isNull();
  }

  private @Nullable String lastStatusTraceparent(String trackingId) {
    JsonNode value = simulator.transferCalls(trackingId).get("lastStatusTraceparent");
    return value.isNull() ? null : value.asString();
  }

  @Test
  void reports_no_state_and_no_calls_for_a_tracking_id_never_seen() {
    JsonNode calls = simulator.transferCalls("20261126-101500-neverSeen");

    assertThat(calls.get("state").isNull()).isTrue();
    assertThat(calls.get("finalizeCalls").asInt()).isZero();
    assertThat(calls.get("statusCalls").asInt()).isZero();
    assertThat(calls.get("sessionOpen").asBoolean()).isFalse();
    assertThat(calls.get("lastFinalizeTraceparent").isNull()).isTrue();
    assertThat(calls.get("lastStatusTraceparent").isNull()).isTrue();
  }

  @Test
  void counts_requests_per_endpoint_and_the_highest_rate_in_a_sliding_second() {
    String token = simulator.token(SENDER);
    simulator.controlOk("DELETE", "/simulator/stats", null);

    sendClients(3);
    clock.advance(Duration.ofMillis(500));
    sendClients(2);
    clock.advance(Duration.ofMillis(700));
    sendClients(4);
    simulator.list(SENDER, token, "");
    clock.advance(Duration.ofSeconds(5));
    simulator.list(SENDER, token, "");

    JsonNode stats = simulator.stats();
    assertThat(stats.get("total").get("requests").asLong()).isEqualTo(11);
    // The window (0.2 s, 1.2 s] holds 2 + 4 clients requests and one list request.
    assertThat(stats.get("total").get("maxPerSecond").asLong()).isEqualTo(7);
    JsonNode clients = stats.get("endpoints").get("clients");
    assertThat(clients.get("requests").asLong()).isEqualTo(9);
    assertThat(clients.get("maxPerSecond").asLong()).isEqualTo(6);
    assertThat(stats.get("endpoints").get("list").get("requests").asLong()).isEqualTo(2);
    assertThat(stats.get("endpoints").get("list").get("maxPerSecond").asLong()).isEqualTo(1);
    assertThat(stats.get("endpoints").propertyNames())
        .contains("token", "finalize", "status", "list", "sessions", "files", "other");
  }

  @Test
  void counts_requests_to_unknown_endpoints_as_other() {
    simulator.send(simulator.plain("/api/nothing/here"));

    assertThat(simulator.stats().get("endpoints").get("other").get("requests").asLong())
        .isEqualTo(1);
  }

  @Test
  void resets_the_statistics_but_not_the_calls_per_tracking_id() {
    String token = simulator.token(SENDER);
    simulator.finalizeTransfer(SENDER, token, "20261126-101500-AbCdEfGh");

    simulator.controlOk("DELETE", "/simulator/stats", null);

    assertThat(simulator.stats().get("total").get("requests").asLong()).isZero();
    assertThat(simulator.stats().get("total").get("maxPerSecond").asLong()).isZero();
    assertThat(simulator.transferCalls("20261126-101500-AbCdEfGh").get("finalizeCalls").asInt())
        .isEqualTo(1);
  }

  @Test
  void forgets_everything_on_reset() {
    simulator.configure("{\"autoSessions\": true, \"failedRatio\": 0.5}");
    simulator.faults("{\"latency\": \"PT0.01S\"}");
    String token = simulator.token(SENDER);
    simulator.finalizeTransfer(SENDER, token, "20261126-101500-AbCdEfGh");
    String sessionId = simulator.createSession(SENDER, token, "bob@example.org");
    simulator.setVerified("eve@example.com", false);

    simulator.reset();
    JsonNode statsAfterReset = simulator.stats();

    assertThat(statsAfterReset.get("total").get("requests").asLong()).isZero();
    assertThat(simulator.transferCalls("20261126-101500-AbCdEfGh").get("state").isNull()).isTrue();
    assertThat(simulator.transferCalls("20261126-101500-AbCdEfGh").get("finalizeCalls").asInt())
        .isZero();
    assertThat(simulator.transferCalls(sessionId).get("sessionOpen").asBoolean()).isFalse();
    assertThat(simulator.list(SENDER, token, "").status()).isEqualTo(401);
    assertThat(
            simulator
                .controlOk("GET", "/simulator/senders/eve@example.com", null)
                .get("verified")
                .asBoolean())
        .isTrue();
    assertThat(
            simulator.controlOk("GET", "/simulator/config", null).get("autoSessions").asBoolean())
        .isFalse();
    assertThat(simulator.controlOk("GET", "/simulator/faults", null).get("latency").asString())
        .isEqualTo("PT0S");
  }

  @Test
  void updates_a_sender_partially_and_shows_all_its_settings() {
    JsonNode initial = simulator.controlOk("GET", "/simulator/senders/" + SENDER, null);
    JsonNode forbidden = simulator.updateSender(SENDER, "{\"invalidTokenStatus\": 403}");
    JsonNode rejected = simulator.updateSender(SENDER, "{\"policy\": \"SENDER_REJECTED\"}");
    JsonNode unverified = simulator.updateSender(SENDER, "{\"verified\": false}");
    JsonNode lifted = simulator.updateSender(SENDER, "{\"policy\": null}");

    assertThat(initial.get("verified").asBoolean()).isTrue();
    assertThat(initial.get("invalidTokenStatus").asInt()).isEqualTo(401);
    assertThat(initial.get("policy").isNull()).isTrue();
    assertThat(forbidden.get("invalidTokenStatus").asInt()).isEqualTo(403);
    assertThat(rejected.get("invalidTokenStatus").asInt()).isEqualTo(403);
    assertThat(rejected.get("policy").asString()).isEqualTo("SENDER_REJECTED");
    assertThat(unverified.get("verified").asBoolean()).isFalse();
    assertThat(unverified.get("policy").asString()).isEqualTo("SENDER_REJECTED");
    assertThat(lifted.get("policy").isNull()).isTrue();
    assertThat(lifted.get("verified").asBoolean()).isFalse();
    assertThat(lifted.get("invalidTokenStatus").asInt()).isEqualTo(403);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"verified\": \"no\"}",
        "{\"invalidTokenStatus\": 500}",
        "{\"invalidTokenStatus\": 403, \"policy\": \"NOBODY\"}",
        "{\"verified\": false, \"policy\": 3010}"
      })
  void refuses_an_invalid_sender_update_and_changes_nothing(String json) {
    Response response = simulator.control("PUT", "/simulator/senders/" + SENDER, json);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.header("Content-Type")).hasValue("application/problem+json");
    JsonNode sender = simulator.controlOk("GET", "/simulator/senders/" + SENDER, null);
    assertThat(sender.get("verified").asBoolean()).isTrue();
    assertThat(sender.get("invalidTokenStatus").asInt()).isEqualTo(401);
    assertThat(sender.get("policy").isNull()).isTrue();
  }

  @Test
  void forgets_the_senders_token_status_and_policy_on_reset() {
    simulator.updateSender(
        SENDER, "{\"invalidTokenStatus\": 403, \"policy\": \"SENDER_RECIPIENT_REJECTED\"}");

    simulator.reset();
    JsonNode sender = simulator.controlOk("GET", "/simulator/senders/" + SENDER, null);

    assertThat(sender.get("invalidTokenStatus").asInt()).isEqualTo(401);
    assertThat(sender.get("policy").isNull()).isTrue();
  }

  @Test
  void seeds_a_session_with_defaults_and_refuses_a_taken_tracking_id() {
    JsonNode seeded =
        simulator.controlOk("POST", "/simulator/sessions", "{\"sender\": \"alice@example.com\"}");
    String trackingId = seeded.get("trackingId").asString();

    Response again =
        simulator.control(
            "POST",
            "/simulator/sessions",
            "{\"sender\": \"alice@example.com\", \"trackingId\": \"" + trackingId + "\"}");
    Response noSender = simulator.control("POST", "/simulator/sessions", "{}");
    Response badOutcome =
        simulator.control(
            "POST", "/simulator/sessions", "{\"sender\":\"a@example.com\",\"outcome\":\"MAYBE\"}");

    assertThat(trackingId).matches("\\d{8}-\\d{6}-[A-Za-z0-9]{8}");
    assertThat(simulator.transferCalls(trackingId).get("sessionOpen").asBoolean()).isTrue();
    assertThat(again.status()).isEqualTo(409);
    assertThat(noSender.status()).isEqualTo(400);
    assertThat(badOutcome.status()).isEqualTo(400);
    String token = simulator.token(SENDER);
    assertThat(simulator.finalizeTransfer(SENDER, token, trackingId).status()).isEqualTo(201);
    assertThat(simulator.firstRecipient(SENDER, token, trackingId).get("mail").asString())
        .isEqualTo("recipient@example.org");
  }

  @Test
  void refuses_to_force_the_state_of_an_unknown_transfer() {
    Response response =
        simulator.control(
            "PUT",
            "/simulator/transfers/20261126-101500-unknown1",
            "{\"state\":\"DELETED_BY_ADMIN\"}");

    assertThat(response.status()).isEqualTo(404);
  }

  @Test
  void lifts_a_forced_state_again() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    JsonNode forced =
        simulator.controlOk(
            "PUT", "/simulator/transfers/" + trackingId, "{\"state\":\"DELETED_BY_SECURITY\"}");
    JsonNode lifted =
        simulator.controlOk("PUT", "/simulator/transfers/" + trackingId, "{\"state\":null}");

    assertThat(forced.get("state").asString()).isEqualTo("DELETED_BY_SECURITY");
    assertThat(lifted.get("state").asString()).isEqualTo("PROCESSING");
  }

  @Test
  void seeds_many_finalized_transfers_at_once_spread_over_the_senders() {
    JsonNode seeded =
        simulator.controlOk(
            "POST",
            "/simulator/transfers",
            """
            {"senders": ["alice@example.com", "carol@example.com"], "count": 250,
             "trackingIdPrefix": "Bulk", "outcome": "FAILED", "processingTime": "PT1M"}""");

    assertThat(seeded.get("created").asInt()).isEqualTo(250);
    assertThat(seeded.get("firstStatusUrl").asString())
        .isEqualTo(simulator.base() + "/api/users/alice@example.com/transfers/Bulk-000000");
    assertThat(seeded.get("lastStatusUrl").asString())
        .isEqualTo(simulator.base() + "/api/users/carol@example.com/transfers/Bulk-000249");
    String token = simulator.token(SENDER);
    assertThat(simulator.state(SENDER, token, "Bulk-000000")).isEqualTo("PROCESSING");
    assertThat(simulator.status(SENDER, token, "Bulk-000001").status())
        .as("carol's")
        .isEqualTo(404);
    JsonNode page = simulator.list(SENDER, token, "?page=1&page-size=100").json();
    assertThat(page.get("meta").get("totalCount").asInt()).isEqualTo(125);
    assertThat(simulator.transferCalls("Bulk-000000").get("finalizeCalls").asInt()).isZero();

    clock.advance(Duration.ofMinutes(1));
    assertThat(simulator.state(SENDER, token, "Bulk-000248")).isEqualTo("FAILED");
  }

  @Test
  void refuses_a_bulk_seed_that_takes_a_tracking_id_or_names_no_sender() {
    simulator.controlOk(
        "POST", "/simulator/transfers", "{\"senders\": [\"a@example.com\"], \"count\": 2}");

    Response taken =
        simulator.control(
            "POST", "/simulator/transfers", "{\"senders\": [\"a@example.com\"], \"count\": 5}");
    Response noSender = simulator.control("POST", "/simulator/transfers", "{\"count\": 5}");
    Response tooMany =
        simulator.control(
            "POST", "/simulator/transfers", "{\"senders\": [\"a@example.com\"], \"count\": 0}");

    assertThat(taken.status()).isEqualTo(409);
    assertThat(noSender.status()).isEqualTo(400);
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(simulator.transferCalls("Seeded-000004").get("state").isNull()).isTrue();
  }

  @Test
  void revokes_a_senders_tokens_so_that_only_a_new_one_is_accepted() {
    String token = simulator.token(SENDER);
    String other = simulator.token("carol@example.com");
    assertThat(simulator.list(SENDER, token, "").status()).isEqualTo(200);

    JsonNode revoked =
        simulator.controlOk("DELETE", "/simulator/senders/" + SENDER + "/tokens", null);

    assertThat(revoked.get("revoked").asInt()).isEqualTo(1);
    Response refused = simulator.list(SENDER, token, "");
    assertError(refused, 401, 3002);
    assertThat(simulator.list("carol@example.com", other, "").status()).isEqualTo(200);
    assertThat(simulator.list(SENDER, simulator.token(SENDER), "").status()).isEqualTo(200);
  }

  private void sendClients(int count) {
    for (int i = 0; i < count; i++) {
      assertThat(simulator.send(simulator.api("/api/clients")).status()).isEqualTo(200);
    }
  }
}

package io.github.cspipeline.simulator.transfer;

import static io.github.cspipeline.simulator.SimulatorClient.OTHER_SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.RECIPIENT;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.statusPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class TransferStatusTest extends SimulatorTestSupport {

  /** The configured processing time applies to transfers finalized after it was set. */
  @ParameterizedTest(name = "processing time {0}")
  @CsvSource({"PT2S, false", "PT30S, true"})
  void stays_processing_for_the_processing_time_then_turns_active(
      Duration processingTime, boolean configured) {
    if (configured) {
      simulator.configure("{\"processingTime\": \"%s\"}".formatted(processingTime));
    }
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    String atFinalize = simulator.state(SENDER, token, trackingId);
    clock.advance(processingTime.minusMillis(1));
    String justBefore = simulator.state(SENDER, token, trackingId);
    clock.advance(Duration.ofMillis(1));
    String after = simulator.state(SENDER, token, trackingId);

    assertThat(atFinalize).isEqualTo("PROCESSING");
    assertThat(justBefore).isEqualTo("PROCESSING");
    assertThat(after).isEqualTo("ACTIVE");
  }

  @Test
  void turns_failed_with_all_files_removed_when_every_transfer_is_meant_to_fail() {
    simulator.configure("{\"failedRatio\": 1.0, \"processingTime\": \"PT5S\"}");
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    clock.advance(Duration.ofSeconds(5));
    JsonNode status = simulator.status(SENDER, token, trackingId).data().get("status");

    assertThat(status.get("state").asString()).isEqualTo("FAILED");
    assertThat(status.get("files").get(0).get("removed").asBoolean()).isTrue();
    assertThat(status.get("files").get(0).get("removalCause").asString()).isNotBlank();
  }

  @Test
  void follows_the_outcome_and_processing_time_of_a_seeded_session() {
    seed("seeded-failed", "FAILED", "PT10S");
    seed("seeded-warned", "ACTIVE_WITH_WARNINGS", "PT1S");
    String token = simulator.token(SENDER);
    simulator.finalizeTransfer(SENDER, token, "seeded-failed");
    simulator.finalizeTransfer(SENDER, token, "seeded-warned");

    clock.advance(Duration.ofSeconds(9));
    String failedAfterNine = simulator.state(SENDER, token, "seeded-failed");
    JsonNode warned = simulator.status(SENDER, token, "seeded-warned").data().get("status");
    clock.advance(Duration.ofSeconds(1));
    String failedAfterTen = simulator.state(SENDER, token, "seeded-failed");

    assertThat(failedAfterNine).isEqualTo("PROCESSING");
    assertThat(failedAfterTen).isEqualTo("FAILED");
    assertThat(warned.get("state").asString()).isEqualTo("ACTIVE");
    assertThat(warned.get("warnings").asBoolean()).isTrue();
    assertThat(warned.get("files").get(0).get("removed").asBoolean()).isTrue();
  }

  @Test
  void answers_with_the_documented_status_shape() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);
    clock.advance(Duration.ofSeconds(2));

    Response response = simulator.status(SENDER, token, trackingId);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("meta").isObject()).isTrue();
    JsonNode status = response.data().get("status");
    assertThat(status.get("state").asString()).isEqualTo("ACTIVE");
    assertThat(status.get("warnings").asBoolean()).isFalse();
    assertThat(status.get("emlCreationFailed").asBoolean()).isFalse();
    assertThat(status.get("sender").get("email").asString()).isEqualTo(SENDER);
    assertThat(status.get("sender").get("notificationFailed").asBoolean()).isFalse();
    JsonNode file = status.get("files").get(0);
    assertThat(file.get("removed").asBoolean()).isFalse();
    assertThat(file.get("removalCause").isNull()).isTrue();
    JsonNode recipient = status.get("recipients").get(0);
    assertThat(recipient.get("mail").asString()).isEqualTo(RECIPIENT);
    assertThat(recipient.get("notificationFailed").asBoolean()).isFalse();
    assertThat(recipient.get("downloadUrl").asString())
        .isEqualTo(simulator.base() + "/download/" + recipient.get("id").asString());
    assertThat(recipient.get("fileDownloads").get(0).get("id").asString())
        .isEqualTo(file.get("id").asString());
    assertThat(recipient.get("fileDownloads").get(0).get("downloads").isArray()).isTrue();

    JsonNode transfer = response.data().get("transfer");
    assertThat(OffsetDateTime.parse(transfer.get("expirationDate").asString()).toInstant())
        .isAfter(clock.instant());
    assertThat(transfer.get("files").get(0).get("fileName").asString()).isEqualTo("contract.pdf");
    assertThat(transfer.get("files").get(0).get("size").asLong()).isEqualTo(5);
    assertThat(transfer.get("files").get(0).get("state").asString()).isEqualTo("ACTIVE");
    assertThat(transfer.get("recipients").get("to").get(0).get("mail").asString())
        .isEqualTo(RECIPIENT);
    assertThat(transfer.get("recipients").get("cc").isArray()).isTrue();
    assertThat(transfer.get("recipients").get("bcc").isArray()).isTrue();
    assertThat(transfer.get("sender").has("name")).isTrue();
    assertThat(transfer.get("sender").has("phone")).isTrue();
    assertThat(transfer.get("securityMode").get("name").asString()).isEqualTo("ONE_TIME_PASSWORD");
    assertThat(transfer.get("securityMode").get("config").get("passwordMode").asString())
        .isEqualTo("GENERATED");
  }

  @Test
  void turns_deleted_by_expiration_once_the_expiration_date_passed() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    clock.advance(Duration.ofDays(14));
    String state = simulator.state(SENDER, simulator.token(SENDER), trackingId);

    assertThat(state).isEqualTo("DELETED_BY_EXPIRATION");
  }

  @Test
  void shows_any_state_forced_through_the_control_api() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    simulator.controlOk(
        "PUT", "/simulator/transfers/" + trackingId, "{\"state\":\"DELETED_BY_ADMIN\"}");
    JsonNode deleted = simulator.status(SENDER, token, trackingId).data().get("status");
    simulator.controlOk("PUT", "/simulator/transfers/" + trackingId, "{\"state\":\"ARCHIVED\"}");
    String unknown = simulator.state(SENDER, token, trackingId);

    assertThat(deleted.get("state").asString()).isEqualTo("DELETED_BY_ADMIN");
    assertThat(deleted.get("files").get(0).get("removed").asBoolean()).isTrue();
    assertThat(unknown).isEqualTo("ARCHIVED");
  }

  @Test
  void lets_only_a_valid_token_of_the_sender_read_a_status() {
    String token = simulator.token(SENDER);
    String otherToken = simulator.token(OTHER_SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    Response anotherTokenOfSender = simulator.status(SENDER, simulator.token(SENDER), trackingId);
    Response tokenOfAnotherSender = simulator.status(SENDER, otherToken, trackingId);
    Response asAnotherSender = simulator.status(OTHER_SENDER, otherToken, trackingId);

    assertThat(anotherTokenOfSender.status()).isEqualTo(200);
    assertError(tokenOfAnotherSender, 401, 3002);
    assertError(asAnotherSender, 404, 2003);
  }

  @Test
  void answers_404_2003_for_the_status_of_an_unknown_tracking_id() {
    Response response =
        simulator.status(SENDER, simulator.token(SENDER), "20261126-101500-unknown1");

    assertError(response, 404, 2003);
  }

  @Test
  void hides_download_links_from_other_tokens_only_when_no_password_protects_them() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.patchSession(
        SENDER, token, trackingId, "{\"securityMode\":{\"config\":{\"passwordMode\":\"NONE\"}}}");
    simulator.finalizeTransfer(SENDER, token, trackingId);

    JsonNode creator = simulator.status(SENDER, token, trackingId).data();
    JsonNode other = simulator.status(SENDER, simulator.token(SENDER), trackingId).data();

    assertThat(creator.get("status").get("recipients").get(0).get("downloadUrl").isString())
        .isTrue();
    assertThat(other.get("status").get("recipients").get(0).get("downloadUrl").isNull()).isTrue();
  }

  @Test
  void serves_a_download_page_for_an_active_transfer() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);
    clock.advance(Duration.ofSeconds(2));
    String url = simulator.firstRecipient(SENDER, token, trackingId).get("downloadUrl").asString();

    Response page = simulator.send(simulator.plain(url.substring(simulator.base().length())));

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains(trackingId, "contract.pdf");
  }

  @Test
  void lists_a_senders_transfers_newest_first_page_by_page() {
    String token = simulator.token(SENDER);
    String[] trackingIds = new String[5];
    for (int i = 0; i < trackingIds.length; i++) {
      trackingIds[i] = simulator.finalizedTransfer(SENDER, token);
      clock.advance(Duration.ofSeconds(1));
    }

    Response first = simulator.list(SENDER, token, "?page=1&page-size=2");
    Response last = simulator.list(SENDER, token, "?page=3&page-size=2");
    Response beyond = simulator.list(SENDER, token, "?page=4&page-size=2");
    Response defaults = simulator.list(SENDER, token, "");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.data().values())
        .extracting(item -> item.get("trackingId").asString())
        .containsExactly(trackingIds[4], trackingIds[3]);
    JsonNode item = first.data().get(0);
    assertThat(item.get("state").asString()).isEqualTo("PROCESSING");
    assertThat(item.get("href").asString())
        .isEqualTo(simulator.base() + statusPath(SENDER, trackingIds[4]));
    assertThat(item.get("recipients").get(0).get("mail").asString()).isEqualTo(RECIPIENT);
    JsonNode meta = first.json().get("meta");
    assertThat(meta.get("page").asInt()).isEqualTo(1);
    assertThat(meta.get("pageSize").asInt()).isEqualTo(2);
    assertThat(meta.get("totalCount").asInt()).isEqualTo(5);
    assertThat(meta.get("totalPages").asInt()).isEqualTo(3);
    assertThat(last.data().values())
        .extracting(entry -> entry.get("trackingId").asString())
        .containsExactly(trackingIds[0]);
    assertThat(beyond.data().values()).isEmpty();
    assertThat(defaults.data().values()).hasSize(5);
    assertThat(defaults.json().get("meta").get("pageSize").asInt()).isEqualTo(10);
  }

  @Test
  void refuses_page_sizes_outside_1_to_100_with_400_1004() {
    String token = simulator.token(SENDER);

    assertThat(new String[] {"?page-size=0", "?page-size=101", "?page-size=ten", "?page=0"})
        .allSatisfy(
            query -> {
              Response response = simulator.list(SENDER, token, query);
              assertError(response, 400, 1004);
            });
    assertThat(simulator.list(SENDER, token, "?page-size=100").status()).isEqualTo(200);
  }

  private String finalizedTransfer(String token) {
    String trackingId = simulator.finalizedTransfer(SENDER, token);
    return trackingId;
  }

  private void seed(String trackingId, String outcome, String processingTime) {
    simulator.controlOk(
        "POST",
        "/simulator/sessions",
        """
        {"sender": "%s", "trackingId": "%s", "outcome": "%s", "processingTime": "%s",
         "files": [{"name": "a.pdf", "size": 1}, {"name": "b.pdf", "size": 2}]}
        """
            .formatted(SENDER, trackingId, outcome, processingTime));
  }
}

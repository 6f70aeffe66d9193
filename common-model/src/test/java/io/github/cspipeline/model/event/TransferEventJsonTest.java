package io.github.cspipeline.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.WireFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class TransferEventJsonTest {

  private static final String ACTIVE_SAMPLE =
      """
      { "schemaVersion": 1, "eventId": "%s", "server": "default",
        "sender": "alice@example.com", "trackingId": "20261126-101500-AbCdEfGh",
        "state": "ACTIVE", "previousState": "PROCESSING", "occurredAt": "2026-11-26T10:15:07.123Z",
        "statusUrl": "https://cs.example.com/api/users/alice@example.com/transfers/20261126-101500-AbCdEfGh",
        "cryptshareState": "ACTIVE", "warnings": false,
        "recipients": [ { "mail": "bob@example.org", "downloadUrl": "https://cs.example.com/download/1",
                          "notificationFailed": false } ],
        "error": null }
      """
          .formatted(
              TransferEvent.eventIdOf("default", "20261126-101500-AbCdEfGh", TransferState.ACTIVE));

  private static final String REJECTED_SAMPLE =
      """
      { "schemaVersion": 1, "eventId": "%s", "server": "default",
        "sender": "alice@example.com", "trackingId": "t-2", "state": "REJECTED",
        "previousState": null, "occurredAt": "2026-11-26T10:15:01Z", "statusUrl": null,
        "cryptshareState": null, "warnings": false, "recipients": [],
        "error": { "code": "CRYPTSHARE_REJECTED", "message": "Sender not verified",
                   "httpStatus": 401, "cryptshareErrorCode": 3002 } }
      """
          .formatted(TransferEvent.eventIdOf("default", "t-2", TransferState.REJECTED));

  private final JsonMapper mapper = WireFormat.mapper();

  @Test
  void reads_the_contract_sample_of_an_active_transfer() {
    var event = mapper.readValue(ACTIVE_SAMPLE, TransferEvent.class);

    assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
    assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-26T10:15:07.123Z"));
    assertThat(event.recipients())
        .containsExactly(
            new Recipient(
                "bob@example.org", URI.create("https://cs.example.com/download/1"), false));
    assertThat(event.error()).isNull();
  }

  @Test
  void round_trips_an_active_event_field_for_field() {
    var event = mapper.readValue(ACTIVE_SAMPLE, TransferEvent.class);

    assertThat(mapper.readTree(mapper.writeValueAsString(event)))
        .isEqualTo(mapper.readTree(ACTIVE_SAMPLE));
  }

  @Test
  void round_trips_a_rejected_event_with_its_error() {
    var event = mapper.readValue(REJECTED_SAMPLE, TransferEvent.class);

    assertThat(event.error())
        .isEqualTo(new TransferError("CRYPTSHARE_REJECTED", "Sender not verified", 401, 3002));
    assertThat(mapper.readTree(mapper.writeValueAsString(event)))
        .isEqualTo(mapper.readTree(REJECTED_SAMPLE));
  }

  @Test
  void event_id_is_the_name_based_uuid_of_the_contract() {
    for (var state : TransferState.values()) {
      assertThat(TransferEvent.eventIdOf("default", "20261126-101500-AbCdEfGh", state))
          .isEqualTo(
              UUID.nameUUIDFromBytes(
                  ("default\n20261126-101500-AbCdEfGh\n" + state.name())
                      .getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void event_id_depends_on_server_tracking_id_and_state_only() {
    var first = TransferEvent.eventIdOf("default", "t-1", TransferState.ACTIVE);

    assertThat(TransferEvent.eventIdOf("default", "t-1", TransferState.ACTIVE)).isEqualTo(first);
    assertThat(TransferEvent.eventIdOf("default", "t-1", TransferState.FAILED)).isNotEqualTo(first);
    assertThat(TransferEvent.eventIdOf("other", "t-1", TransferState.ACTIVE)).isNotEqualTo(first);
    assertThat(first.version()).isEqualTo(3);
  }

  @Test
  void factories_derive_the_event_id() {
    var processing =
        TransferEvent.processing(
            "default", "a@example.com", "t-1", Instant.EPOCH, URI.create("http://cs/api/x"));

    assertThat(processing.eventId())
        .isEqualTo(TransferEvent.eventIdOf("default", "t-1", TransferState.PROCESSING));
    assertThat(processing.statusUrl()).hasToString("http://cs/api/x");
  }

  @Test
  void recipients_cannot_be_changed_after_construction() {
    var recipients = new java.util.ArrayList<Recipient>();
    recipients.add(new Recipient("bob@example.org", null, false));
    var event =
        TransferEvent.of(
                "default", "a@example.com", "t-1", TransferState.ACTIVE, null, Instant.EPOCH)
            .withCryptshareDetails("ACTIVE", false, recipients);

    recipients.clear();

    assertThat(event.recipients()).hasSize(1);
    assertThat(List.class).isAssignableFrom(event.recipients().getClass());
  }
}

package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class CloudEventsTest {

  @Test
  void sets_binary_mode_headers_and_keys_by_tracking_id() {
    var id = UUID.randomUUID();

    var record =
        CloudEvents.record(
            Topics.TRANSFER_EVENTS,
            "t-1",
            "value",
            id,
            "type.v1",
            "/cryptshare-pipeline/test",
            Instant.parse("2026-11-26T10:15:00Z"));

    assertThat(record.key()).isEqualTo("t-1");
    assertThat(header(record.headers(), CloudEvents.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(record.headers(), CloudEvents.ID)).isEqualTo(id.toString());
    assertThat(header(record.headers(), CloudEvents.TYPE)).isEqualTo("type.v1");
    assertThat(header(record.headers(), CloudEvents.SOURCE)).isEqualTo("/cryptshare-pipeline/test");
    assertThat(header(record.headers(), CloudEvents.TIME)).isEqualTo("2026-11-26T10:15:00Z");
  }

  @Test
  void a_command_names_its_subject_and_schema() {
    var command =
        FinalizeCommand.of(
            Instant.parse("2026-11-26T10:15:00Z"), "default", "alice@example.com", "t-1", null);
    var headers = new RecordHeaders();

    CloudEvents.addCommandHeaders(headers, command, "/cryptshare-pipeline/test");

    assertThat(header(headers, CloudEvents.ID)).isEqualTo(command.commandId().toString());
    assertThat(header(headers, CloudEvents.TYPE)).isEqualTo(FinalizeCommand.CLOUD_EVENT_TYPE);
    assertThat(header(headers, CloudEvents.TIME)).isEqualTo("2026-11-26T10:15:00Z");
    assertThat(header(headers, CloudEvents.SUBJECT)).isEqualTo("t-1");
    assertThat(header(headers, CloudEvents.DATA_SCHEMA))
        .isEqualTo(
            "https://cspipeline.github.io/cryptshare-pipeline/schemas/finalize-command.v1.schema.json");
    assertThat(headers.lastHeader(CloudEvents.TRANSFER_STATE)).isNull();
  }

  @Test
  void an_event_names_its_subject_schema_and_state_under_one_type_for_all_states() {
    var event =
        TransferEvent.of(
            "default",
            "alice@example.com",
            "t-1",
            TransferState.FAILED,
            TransferState.PROCESSING,
            Instant.parse("2026-11-26T10:15:00Z"));
    var headers = new RecordHeaders();

    CloudEvents.addEventHeaders(headers, event, "/cryptshare-pipeline/test");

    assertThat(header(headers, CloudEvents.ID)).isEqualTo(event.eventId().toString());
    assertThat(header(headers, CloudEvents.TYPE))
        .isEqualTo("io.github.cspipeline.transfer-event.v1");
    assertThat(header(headers, CloudEvents.SUBJECT)).isEqualTo("t-1");
    assertThat(header(headers, CloudEvents.DATA_SCHEMA))
        .isEqualTo(
            "https://cspipeline.github.io/cryptshare-pipeline/schemas/transfer-event.v1.schema.json");
    assertThat(header(headers, CloudEvents.TRANSFER_STATE)).isEqualTo("FAILED");
  }

  @Test
  void setting_the_headers_again_leaves_one_of_each() {
    var event =
        TransferEvent.processing(
            "default", "alice@example.com", "t-1", Instant.EPOCH, java.net.URI.create("https://s"));
    var headers = new RecordHeaders();

    CloudEvents.addEventHeaders(headers, event, "/cryptshare-pipeline/test");
    CloudEvents.addEventHeaders(headers, event, "/cryptshare-pipeline/test");

    assertThat(headers.headers(CloudEvents.SUBJECT)).hasSize(1);
    assertThat(headers.headers(CloudEvents.TRANSFER_STATE)).hasSize(1);
  }

  private static String header(org.apache.kafka.common.header.Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}

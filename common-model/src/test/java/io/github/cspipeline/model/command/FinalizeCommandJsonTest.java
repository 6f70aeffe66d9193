package io.github.cspipeline.model.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.WireFormat;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;

class FinalizeCommandJsonTest {

  private static final String WIRE_SAMPLE =
      """
      { "schemaVersion": 1, "commandId": "3f1b6a2e-8c4d-4e0a-9f6b-2d7c1a5e9b30",
        "requestedAt": "2026-11-26T10:15:00.123Z", "server": "default",
        "sender": "alice@example.com", "trackingId": "20261126-101500-AbCdEfGh",
        "credential": null }
      """;

  private final tools.jackson.databind.json.JsonMapper mapper = WireFormat.mapper();

  @Test
  void reads_the_contract_sample() {
    var command = mapper.readValue(WIRE_SAMPLE, FinalizeCommand.class);

    assertThat(command)
        .isEqualTo(
            new FinalizeCommand(
                1,
                UUID.fromString("3f1b6a2e-8c4d-4e0a-9f6b-2d7c1a5e9b30"),
                Instant.parse("2026-11-26T10:15:00.123Z"),
                "default",
                "alice@example.com",
                "20261126-101500-AbCdEfGh",
                null));
  }

  @Test
  void writes_exactly_the_contract_fields() {
    var command = mapper.readValue(WIRE_SAMPLE, FinalizeCommand.class);

    JsonNode written = mapper.readTree(mapper.writeValueAsString(command));

    assertThat(written).isEqualTo(mapper.readTree(WIRE_SAMPLE));
  }

  @Test
  void ignores_fields_added_by_a_newer_producer() {
    var withExtra = WIRE_SAMPLE.replace("\"credential\": null", "\"credential\": null, \"x\": 1");

    assertThat(mapper.readValue(withExtra, FinalizeCommand.class).trackingId())
        .isEqualTo("20261126-101500-AbCdEfGh");
  }

  @Test
  void refuses_a_command_without_tracking_id() {
    var withoutTrackingId =
        WIRE_SAMPLE.replace("\"trackingId\": \"20261126-101500-AbCdEfGh\",", "");

    assertThatThrownBy(() -> mapper.readValue(withoutTrackingId, FinalizeCommand.class))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("trackingId");
  }

  @Test
  void never_prints_the_credential() {
    var command =
        FinalizeCommand.of(Instant.EPOCH, "default", "a@example.com", "t-1", "v1:k1:c2VjcmV0");

    assertThat(command.toString()).doesNotContain("c2VjcmV0").contains("credential=***");
  }
}

package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.command.FinalizeCommandRules;
import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class SchemasTest {

  private static final Instant NOW = Instant.parse("2026-11-26T10:15:00.123Z");
  private static final URI STATUS_URL =
      URI.create("https://cs.example.com/api/users/alice@example.com/transfers/t-1");

  @Test
  void docs_schemas_holds_an_identical_copy_of_every_bundled_schema() throws Exception {
    for (var id : Schemas.all()) {
      var published = Path.of("..", "docs", "schemas", Schemas.fileName(id));

      assertThat(published)
          .as(
              "docs/schemas must be a copy of common-model's schemas: cp"
                  + " common-model/src/main/resources/io/github/cspipeline/model/schemas/%s"
                  + " docs/schemas/",
              Schemas.fileName(id))
          .exists();
      assertThat(Files.readString(published, StandardCharsets.UTF_8))
          .as("docs/schemas/%s differs from the bundled schema", Schemas.fileName(id))
          .isEqualTo(Schemas.text(id));
    }
  }

  @Test
  void each_schema_is_draft_2020_12_and_its_id_is_the_records_data_schema() {
    for (var id : Schemas.all()) {
      var schema = WireFormat.mapper().readTree(Schemas.text(id));

      assertThat(schema.path("$schema").asString())
          .isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(schema.path("$id").asString()).isEqualTo(id.toString());
    }
    assertThat(Schemas.all())
        .containsExactlyInAnyOrder(FinalizeCommand.DATA_SCHEMA, TransferEvent.DATA_SCHEMA);
  }

  @Test
  void commands_with_and_without_a_credential_match_their_schema() {
    var plain = FinalizeCommand.of(NOW, "default", "alice@example.com", "t-1", null);
    var sealed = FinalizeCommand.of(NOW, "cs-2.eu", "a.b+c@mail.example.org", "t_2", "v1.e2e.abc");

    assertThat(ContractCheck.validate(FinalizeCommand.DATA_SCHEMA, json(plain))).isEmpty();
    assertThat(ContractCheck.validate(FinalizeCommand.DATA_SCHEMA, json(sealed))).isEmpty();
  }

  @Test
  void a_command_the_shared_rules_refuse_does_not_match_its_schema() {
    var badSender = FinalizeCommand.of(NOW, "default", "alice@example", "t-1", null);
    var badServer = FinalizeCommand.of(NOW, "https://cs", "alice@example.com", "t-1", null);

    assertRefused(FinalizeCommand.DATA_SCHEMA, json(badSender), "/sender");
    assertRefused(FinalizeCommand.DATA_SCHEMA, json(badServer), "/server");
  }

  @ParameterizedTest
  @MethodSource("io.github.cspipeline.model.command.BadSenders#notASingleHarmlessAddress")
  void the_command_schema_refuses_every_sender_the_shared_rules_refuse(String sender) {
    var command = FinalizeCommand.of(NOW, "default", sender, "t-1", null);

    assertThat(FinalizeCommandRules.check(command)).isNotEmpty();
    assertRefused(FinalizeCommand.DATA_SCHEMA, json(command), "/sender");
  }

  @Test
  void the_command_schema_refuses_a_sender_longer_than_the_rules_allow() {
    var command =
        FinalizeCommand.of(
            NOW, "default", "a".repeat(60) + "@" + "b".repeat(190) + ".com", "t", null);

    assertThat(FinalizeCommandRules.check(command)).isNotEmpty();
    assertRefused(FinalizeCommand.DATA_SCHEMA, json(command), "/sender");
  }

  @ParameterizedTest
  @EnumSource(
      value = TransferState.class,
      names = {"ACTIVE", "FAILED", "DELETED"})
  void events_the_poller_publishes_match_their_schema(TransferState state) {
    var event =
        TransferEvent.of(
                "default", "alice@example.com", "t-1", state, TransferState.PROCESSING, NOW)
            .withStatusUrl(STATUS_URL)
            .withCryptshareDetails(
                state.name(),
                true,
                List.of(
                    new Recipient(
                        "bob@example.org", URI.create("https://cs.example.com/d/1"), false),
                    new Recipient("carol@example.org", null, true)));

    assertThat(ContractCheck.validate(TransferEvent.DATA_SCHEMA, json(event))).isEmpty();
  }

  @Test
  void processing_rejected_and_abandoned_events_match_their_schema() {
    var processing =
        TransferEvent.processing("default", "alice@example.com", "t-1", NOW, STATUS_URL);
    var rejected =
        TransferEvent.failedFinalize(
            "default",
            "alice@example.com",
            "t-1",
            TransferState.REJECTED,
            NOW,
            new TransferError("CRYPTSHARE_REJECTED", "Sender not verified", 401, 3002));
    var abandoned =
        TransferEvent.failedFinalize(
            "not a server id",
            "alice",
            "t-1",
            TransferState.ABANDONED,
            NOW,
            new TransferError("SERVER_NOT_CONFIGURED", "No worker knows it", null, null));

    assertThat(ContractCheck.validate(TransferEvent.DATA_SCHEMA, json(processing))).isEmpty();
    assertThat(ContractCheck.validate(TransferEvent.DATA_SCHEMA, json(rejected))).isEmpty();
    assertThat(ContractCheck.validate(TransferEvent.DATA_SCHEMA, json(abandoned))).isEmpty();
  }

  @Test
  void a_rejected_event_without_its_error_does_not_match_its_schema() {
    var rejected =
        TransferEvent.of("default", "alice@example.com", "t-1", TransferState.REJECTED, null, NOW);

    assertRefused(TransferEvent.DATA_SCHEMA, json(rejected), "/error");
  }

  @Test
  void an_active_event_without_its_status_url_does_not_match_its_schema() {
    var active =
        TransferEvent.of(
            "default",
            "alice@example.com",
            "t-1",
            TransferState.ACTIVE,
            TransferState.PROCESSING,
            NOW);

    assertRefused(TransferEvent.DATA_SCHEMA, json(active), "/statusUrl");
  }

  @Test
  void a_field_the_schema_does_not_declare_fails_the_strict_check_only() {
    var event =
        (ObjectNode)
            WireFormat.mapper()
                .valueToTree(
                    TransferEvent.processing(
                        "default", "alice@example.com", "t-1", NOW, STATUS_URL));
    event.put("undeclared", "x");

    assertThat(ContractCheck.validate(TransferEvent.DATA_SCHEMA, event))
        .anySatisfy(error -> assertThat(error).contains("undeclared"));
  }

  @Test
  void a_record_with_the_contract_headers_has_no_violations() {
    var event = TransferEvent.processing("default", "alice@example.com", "t-1", NOW, STATUS_URL);
    var record = new ProducerRecord<String, String>(Topics.TRANSFER_EVENTS, "t-1", json(event));
    CloudEvents.addEventHeaders(record.headers(), event, "/cryptshare-pipeline/test");

    assertThat(
            ContractCheck.violations(
                record.topic(), record.key(), record.headers(), record.value()))
        .isEmpty();
  }

  @Test
  void a_record_without_subject_and_data_schema_is_reported() {
    var command = FinalizeCommand.of(NOW, "default", "alice@example.com", "t-1", null);
    var record =
        CloudEvents.record(
            Topics.FINALIZE_COMMANDS,
            "t-1",
            json(command),
            command.commandId(),
            FinalizeCommand.CLOUD_EVENT_TYPE,
            "/cryptshare-pipeline/test",
            NOW);

    assertThat(
            ContractCheck.violations(
                record.topic(), record.key(), record.headers(), record.value()))
        .containsExactlyInAnyOrder(
            "ce_dataschema is null, expected " + FinalizeCommand.DATA_SCHEMA,
            "ce_subject is null, expected t-1");
  }

  /** Asserts that the schema refuses the JSON with an error that names {@code where}. */
  private static void assertRefused(URI schema, String json, String where) {
    assertThat(ContractCheck.validate(schema, json))
        .anySatisfy(error -> assertThat(error).contains(where));
  }

  private static String json(Object value) {
    return WireFormat.mapper().writeValueAsString(value);
  }
}

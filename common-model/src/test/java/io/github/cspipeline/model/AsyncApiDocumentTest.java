package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * docs/asyncapi.yaml names what the code decides: topic names, {@code ce_type}, {@code
 * ce_dataschema}, the states and the schema files. The AsyncAPI CLI in .ci/run checks that the
 * document is valid; this test checks that it says what the code does.
 */
class AsyncApiDocumentTest {

  private static final JsonNode DOCUMENT =
      YAMLMapper.builder().build().readTree(Path.of("..", "docs", "asyncapi.yaml").toFile());

  @Test
  void the_public_channels_are_the_contracts_topics() {
    var channels = DOCUMENT.path("channels");

    assertThat(channels.path("finalizeCommands").path("address").asString())
        .isEqualTo(Topics.FINALIZE_COMMANDS);
    assertThat(channels.path("transferEvents").path("address").asString())
        .isEqualTo(Topics.TRANSFER_EVENTS);
    // The internal channels' names belong to their modules: deploy-tests'
    // AsyncApiInternalTopicsTest.
  }

  @Test
  void the_messages_name_the_types_and_schemas_the_producers_set() {
    var schemas = DOCUMENT.path("components").path("schemas");
    var command = schemas.path("finalizeCommandHeaders").path("allOf").path(1).path("properties");
    var event = schemas.path("transferEventHeaders").path("allOf").path(1).path("properties");

    assertThat(command.path("ce_type").path("const").asString())
        .isEqualTo(FinalizeCommand.CLOUD_EVENT_TYPE);
    assertThat(command.path("ce_dataschema").path("const").asString())
        .isEqualTo(FinalizeCommand.DATA_SCHEMA.toString());
    assertThat(event.path("ce_type").path("const").asString())
        .isEqualTo(TransferEvent.CLOUD_EVENT_TYPE);
    assertThat(event.path("ce_dataschema").path("const").asString())
        .isEqualTo(TransferEvent.DATA_SCHEMA.toString());
    var states = new ArrayList<String>();
    event.path("ce_transferstate").path("enum").forEach(s -> states.add(s.asString()));
    assertThat(states)
        .containsExactlyElementsOf(Stream.of(TransferState.values()).map(Enum::name).toList());
  }

  @Test
  void the_payloads_reference_the_published_schema_files() {
    var messages = DOCUMENT.path("components").path("messages");

    assertThat(messages.path("finalizeCommand").path("payload").path("$ref").asString())
        .isEqualTo("./schemas/" + Schemas.fileName(FinalizeCommand.DATA_SCHEMA));
    assertThat(messages.path("transferEvent").path("payload").path("$ref").asString())
        .isEqualTo("./schemas/" + Schemas.fileName(TransferEvent.DATA_SCHEMA));
  }

  @Test
  void the_example_event_meets_the_contract() {
    var example = messages("transferEvent").path("examples").path(0);
    var payload = example.path("payload");
    var headers = example.path("headers");

    assertThat(ContractCheck.validate(TransferEvent.DATA_SCHEMA, payload)).isEmpty();
    assertThat(payload.path("eventId").asString())
        .isEqualTo(
            TransferEvent.eventIdOf(
                    payload.path("server").asString(),
                    payload.path("trackingId").asString(),
                    TransferState.valueOf(payload.path("state").asString()))
                .toString())
        .isEqualTo(headers.path("ce_id").asString());
    assertThat(headers.path("ce_subject").asString())
        .isEqualTo(payload.path("trackingId").asString());
    assertThat(headers.path("ce_transferstate").asString())
        .isEqualTo(payload.path("state").asString());
  }

  private static JsonNode messages(String name) {
    return DOCUMENT.path("components").path("messages").path(name);
  }
}

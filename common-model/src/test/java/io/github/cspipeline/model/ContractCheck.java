package io.github.cspipeline.model;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks a record of a public topic against the contract: its value against the bundled JSON
 * Schema, and its CloudEvents headers against its value (docs/adr/027). Shared with the end-to-end
 * tests (common-model's test jar), so that whatever the services produce is checked.
 *
 * <p>Values are validated <em>strictly</em>: every object the schema declares is closed ({@code
 * additionalProperties: false}), and formats ({@code uuid}, {@code date-time}, {@code uri}) are
 * asserted. The published schemas stay open, as consumers must ignore fields added within v1; the
 * strict check makes a field the code writes but the schema does not declare fail the build.
 */
public final class ContractCheck {

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<URI, Schema> STRICT = new HashMap<>();

  private ContractCheck() {}

  /** What is wrong with a record read from a public topic; empty when it meets the contract. */
  public static List<String> violations(ConsumerRecord<String, String> record) {
    return violations(record.topic(), record.key(), record.headers(), record.value());
  }

  /** What is wrong with a record of {@code topic}; empty when it meets the contract. */
  public static List<String> violations(
      String topic, @Nullable String key, Headers headers, @Nullable String value) {
    var header = new HashMap<String, String>();
    headers.forEach(
        h ->
            header.put(
                h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
    var violations = new ArrayList<String>();
    if (value == null) {
      violations.add("value is null");
      return violations;
    }
    var node = WireFormat.mapper().readTree(value);
    switch (topic) {
      case Topics.FINALIZE_COMMANDS -> {
        violations.addAll(validate(FinalizeCommand.DATA_SCHEMA, node));
        expect(violations, header, CloudEvents.TYPE, FinalizeCommand.CLOUD_EVENT_TYPE);
        expect(violations, header, CloudEvents.ID, node.path("commandId").asString());
        expectTime(violations, header, node.path("requestedAt").asString());
      }
      case Topics.TRANSFER_EVENTS -> {
        violations.addAll(validate(TransferEvent.DATA_SCHEMA, node));
        expect(violations, header, CloudEvents.TYPE, TransferEvent.CLOUD_EVENT_TYPE);
        expect(violations, header, CloudEvents.ID, node.path("eventId").asString());
        expect(violations, header, CloudEvents.TRANSFER_STATE, node.path("state").asString());
        expectTime(violations, header, node.path("occurredAt").asString());
      }
      default -> violations.add("not a public topic: " + topic);
    }
    expect(violations, header, CloudEvents.SPEC_VERSION, "1.0");
    expect(violations, header, CloudEvents.CONTENT_TYPE, "application/json");
    expect(violations, header, CloudEvents.DATA_SCHEMA, schemaOf(topic));
    expect(violations, header, CloudEvents.SUBJECT, node.path("trackingId").asString());
    if (!Objects.equals(key, node.path("trackingId").asString())) {
      violations.add("key " + key + " is not the value's trackingId");
    }
    var source = header.get(CloudEvents.SOURCE);
    if (source == null || !source.startsWith("/cryptshare-pipeline/")) {
      violations.add("ce_source " + source + " does not name a pipeline application");
    }
    var traceparent = header.get(Traceparent.HEADER);
    if (traceparent != null && Traceparent.parse(traceparent).isEmpty()) {
      violations.add("traceparent " + traceparent + " is not a valid W3C trace context");
    }
    return violations;
  }

  /** The schema errors of a value, validated strictly against the bundled schema {@code id}. */
  public static List<String> validate(URI id, JsonNode value) {
    return strict(id)
        .validate(value, c -> c.executionConfig(e -> e.formatAssertionsEnabled(true)))
        .stream()
        .map(error -> Schemas.fileName(id) + ": " + error.toString())
        .toList();
  }

  /** The schema errors of a JSON value, validated strictly against the bundled schema. */
  public static List<String> validate(URI id, String json) {
    return validate(id, WireFormat.mapper().readTree(json));
  }

  private static synchronized Schema strict(URI id) {
    return STRICT.computeIfAbsent(
        id, i -> REGISTRY.getSchema(closed(WireFormat.mapper().readTree(Schemas.text(i)))));
  }

  /** The schema with every declared object closed to undeclared properties. */
  private static JsonNode closed(JsonNode schema) {
    var copy = schema.deepCopy();
    close(copy);
    return copy;
  }

  private static void close(JsonNode node) {
    if (node instanceof ObjectNode object
        && "object".equals(object.path("type").asString(""))
        && object.has("properties")
        && !object.has("additionalProperties")) {
      object.put("additionalProperties", false);
    }
    for (var child : node) {
      close(child);
    }
  }

  private static String schemaOf(String topic) {
    return switch (topic) {
      case Topics.FINALIZE_COMMANDS -> FinalizeCommand.DATA_SCHEMA.toString();
      case Topics.TRANSFER_EVENTS -> TransferEvent.DATA_SCHEMA.toString();
      default -> "";
    };
  }

  private static void expect(
      List<String> violations, Map<String, String> headers, String name, String expected) {
    var actual = headers.get(name);
    if (!expected.equals(actual)) {
      violations.add(name + " is " + actual + ", expected " + expected);
    }
  }

  private static void expectTime(
      List<String> violations, Map<String, String> headers, String valueTime) {
    var actual = headers.get(CloudEvents.TIME);
    try {
      if (actual == null || !Instant.parse(actual).equals(Instant.parse(valueTime))) {
        violations.add("ce_time " + actual + " is not the value's time " + valueTime);
      }
    } catch (DateTimeParseException e) {
      violations.add("ce_time " + actual + " or the value's time " + valueTime + " is no instant");
    }
  }
}

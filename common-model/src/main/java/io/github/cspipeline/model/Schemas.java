package io.github.cspipeline.model;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schemas (draft 2020-12) of the records on the public topics, bundled in this jar. A
 * record names its schema's {@code $id} in {@code ce_dataschema}; the same files are published in
 * the repository's {@code docs/schemas}. Within a version only additive changes are made; a
 * breaking change is a new version with its own {@code ce_type} (docs/adr/027).
 */
public final class Schemas {

  /** The bundled schema of {@link FinalizeCommand} v1, by its {@code $id}. */
  public static final URI FINALIZE_COMMAND_V1 = FinalizeCommand.DATA_SCHEMA;

  /** The bundled schema of {@link TransferEvent} v1, by its {@code $id}. */
  public static final URI TRANSFER_EVENT_V1 = TransferEvent.DATA_SCHEMA;

  private static final Map<URI, String> RESOURCES =
      Map.of(
          FINALIZE_COMMAND_V1, "schemas/finalize-command.v1.schema.json",
          TRANSFER_EVENT_V1, "schemas/transfer-event.v1.schema.json");

  private Schemas() {}

  /** The {@code $id}s of every bundled schema. */
  public static Set<URI> all() {
    return RESOURCES.keySet();
  }

  /** The file name of a bundled schema, e.g. {@code transfer-event.v1.schema.json}. */
  public static String fileName(URI id) {
    var resource = resource(id);
    return resource.substring(resource.lastIndexOf('/') + 1);
  }

  /** The text of the bundled schema with this {@code $id}. */
  public static String text(URI id) {
    var resource = resource(id);
    try (InputStream in = Schemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Schema " + resource + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(URI id) {
    var resource = RESOURCES.get(id);
    if (resource == null) {
      throw new IllegalArgumentException("No bundled schema has the id " + id);
    }
    return resource;
  }
}

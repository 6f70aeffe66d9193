package io.github.cspipeline.model.command;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Asks the transfer-worker to finalize one Cryptshare transfer session. Published by the
 * api-gateway on {@code cryptshare.finalize.commands} with the trackingId as key.
 *
 * @param schemaVersion version of this record's wire format, currently {@value #SCHEMA_VERSION}
 * @param commandId unique id of this command; a retried publication keeps it
 * @param requestedAt when the gateway accepted the request
 * @param server id of a configured Cryptshare server (never a URL)
 * @param sender email address of the transfer's sender
 * @param trackingId Cryptshare tracking id of the session to finalize (opaque)
 * @param credential the caller's verification token, encrypted; {@code null} when the worker
 *     verifies the sender itself. Never clear text.
 */
public record FinalizeCommand(
    int schemaVersion,
    UUID commandId,
    Instant requestedAt,
    String server,
    String sender,
    String trackingId,
    @Nullable String credential) {

  public static final int SCHEMA_VERSION = 1;

  /** CloudEvents {@code ce_type} of this record. */
  public static final String CLOUD_EVENT_TYPE = "io.github.cspipeline.finalize-command.v1";

  /**
   * CloudEvents {@code ce_dataschema} of this record: the {@code $id} of its JSON Schema, bundled
   * as {@link io.github.cspipeline.model.Schemas#FINALIZE_COMMAND_V1}.
   */
  public static final URI DATA_SCHEMA =
      URI.create(
          "https://cspipeline.github.io/cryptshare-pipeline/schemas/finalize-command.v1.schema.json");

  public FinalizeCommand {
    Objects.requireNonNull(commandId, "commandId");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(trackingId, "trackingId");
  }

  /** A new command of the current schema version with a random id. */
  public static FinalizeCommand of(
      Instant requestedAt,
      String server,
      String sender,
      String trackingId,
      @Nullable String credential) {
    return new FinalizeCommand(
        SCHEMA_VERSION, UUID.randomUUID(), requestedAt, server, sender, trackingId, credential);
  }

  /** Never prints the credential, so a command can be logged safely. */
  @Override
  public String toString() {
    return "FinalizeCommand[commandId=%s, server=%s, sender=%s, trackingId=%s, credential=%s]"
        .formatted(commandId, server, sender, trackingId, credential == null ? "none" : "***");
  }
}

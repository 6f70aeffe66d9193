package io.github.cspipeline.model.event;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A state change of one transfer, published on {@code cryptshare.transfer.events} with the
 * trackingId as key. Consumers must ignore unknown fields.
 *
 * @param schemaVersion version of this record's wire format, currently {@value #SCHEMA_VERSION}
 * @param eventId derived from {@code (server, trackingId, state)} by {@link #eventIdOf}, so a
 *     redelivered or re-published event carries the same id
 * @param server id of the Cryptshare server
 * @param sender the transfer's sender
 * @param trackingId the transfer's tracking id
 * @param state the new state
 * @param previousState the state before, {@code null} for the first event of a transfer
 * @param occurredAt when the pipeline observed the change
 * @param statusUrl the transfer's status URL (set from {@code PROCESSING} on)
 * @param cryptshareState the state as Cryptshare named it, e.g. {@code DELETED_BY_EXPIRATION}
 * @param warnings Cryptshare's {@code warnings} flag (a partly successful transfer)
 * @param recipients the recipients with their download URLs (set on {@code ACTIVE})
 * @param error why the transfer ended {@code REJECTED} or {@code ABANDONED}
 */
public record TransferEvent(
    int schemaVersion,
    UUID eventId,
    String server,
    String sender,
    String trackingId,
    TransferState state,
    @Nullable TransferState previousState,
    Instant occurredAt,
    @Nullable URI statusUrl,
    @Nullable String cryptshareState,
    boolean warnings,
    List<Recipient> recipients,
    @Nullable TransferError error) {

  public static final int SCHEMA_VERSION = 1;

  /** CloudEvents {@code ce_type} of this record. */
  public static final String CLOUD_EVENT_TYPE = "io.github.cspipeline.transfer-event.v1";

  /**
   * CloudEvents {@code ce_dataschema} of this record: the {@code $id} of its JSON Schema, bundled
   * as {@link io.github.cspipeline.model.Schemas#TRANSFER_EVENT_V1}.
   */
  public static final URI DATA_SCHEMA =
      URI.create(
          "https://cspipeline.github.io/cryptshare-pipeline/schemas/transfer-event.v1.schema.json");

  public TransferEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(trackingId, "trackingId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(occurredAt, "occurredAt");
    recipients = recipients == null ? List.of() : List.copyOf(recipients);
  }

  /**
   * The event id of the contract: a name-based (type 3) UUID of the UTF-8 bytes of {@code server +
   * "\n" + trackingId + "\n" + state}.
   */
  public static UUID eventIdOf(String server, String trackingId, TransferState state) {
    // As UUID.nameUUIDFromBytes, which looks the MD5 implementation up among the security providers
    // on every call (a measurable share of the worker's CPU, issue 12); a clone of one instance is
    // cheap, and works on the virtual threads, where a thread-local instance would not be reused.
    byte[] md5 =
        md5()
            .digest(
                (server + "\n" + trackingId + "\n" + state.name())
                    .getBytes(StandardCharsets.UTF_8));
    md5[6] = (byte) ((md5[6] & 0x0f) | 0x30); // version 3
    md5[8] = (byte) ((md5[8] & 0x3f) | 0x80); // IETF variant
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (md5[i] & 0xff);
      lsb = (lsb << 8) | (md5[i + 8] & 0xff);
    }
    return new UUID(msb, lsb);
  }

  private static final MessageDigest MD5 = md5Instance();

  private static MessageDigest md5() {
    try {
      return (MessageDigest) MD5.clone();
    } catch (CloneNotSupportedException e) {
      return md5Instance();
    }
  }

  private static MessageDigest md5Instance() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new InternalError("MD5 not supported", e);
    }
  }

  /** {@code PROCESSING}: Cryptshare accepted the finalize and the transfer can be polled. */
  public static TransferEvent processing(
      String server, String sender, String trackingId, Instant occurredAt, URI statusUrl) {
    return of(server, sender, trackingId, TransferState.PROCESSING, null, occurredAt)
        .withStatusUrl(statusUrl);
  }

  /** {@code REJECTED} or {@code ABANDONED} before the transfer existed. */
  public static TransferEvent failedFinalize(
      String server,
      String sender,
      String trackingId,
      TransferState state,
      Instant occurredAt,
      TransferError error) {
    if (state != TransferState.REJECTED && state != TransferState.ABANDONED) {
      throw new IllegalArgumentException("not a finalize failure: " + state);
    }
    return of(server, sender, trackingId, state, null, occurredAt).withError(error);
  }

  /** An event with only the identity fields set. */
  public static TransferEvent of(
      String server,
      String sender,
      String trackingId,
      TransferState state,
      @Nullable TransferState previousState,
      Instant occurredAt) {
    return new TransferEvent(
        SCHEMA_VERSION,
        eventIdOf(server, trackingId, state),
        server,
        sender,
        trackingId,
        state,
        previousState,
        occurredAt,
        null,
        null,
        false,
        List.of(),
        null);
  }

  public TransferEvent withStatusUrl(@Nullable URI url) {
    return with(url, cryptshareState, warnings, recipients, error);
  }

  /** The same event with what Cryptshare reported about the transfer. */
  public TransferEvent withCryptshareDetails(
      @Nullable String cryptshareState, boolean warnings, List<Recipient> recipients) {
    return with(statusUrl, cryptshareState, warnings, recipients, error);
  }

  public TransferEvent withError(@Nullable TransferError newError) {
    return with(statusUrl, cryptshareState, warnings, recipients, newError);
  }

  /** The same event (same identity, same id) with other details. */
  private TransferEvent with(
      @Nullable URI url,
      @Nullable String newCryptshareState,
      boolean newWarnings,
      List<Recipient> newRecipients,
      @Nullable TransferError newError) {
    return new TransferEvent(
        schemaVersion,
        eventId,
        server,
        sender,
        trackingId,
        state,
        previousState,
        occurredAt,
        url,
        newCryptshareState,
        newWarnings,
        newRecipients,
        newError);
  }
}

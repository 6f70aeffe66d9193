package io.github.cspipeline.worker.state;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What the worker knows of one transfer, as stored on its state topic (key {@link #key}, compacted,
 * so the latest record per transfer wins).
 *
 * <ul>
 *   <li>{@code PENDING}: the command was taken in (its offset committed in the same transaction)
 *       and is being worked on; carries the command, so that the next owner of the partition can
 *       take over. A finalize may already have been sent.
 *   <li>{@code DECIDED}: the worker published {@code outcome} (in the same transaction); a repeated
 *       command for the transfer is not finalized again.
 * </ul>
 *
 * @param schemaVersion version of this record's format, currently {@value #SCHEMA_VERSION}
 * @param server the Cryptshare server id
 * @param trackingId the transfer's tracking id
 * @param sender the transfer's sender
 * @param status {@code PENDING} or {@code DECIDED}
 * @param commandPartition the partition of the commands topic the command came from: the owner of
 *     that partition owns the transfer
 * @param acceptedAt when the worker took the command in
 * @param deadline when the retry budget runs out
 * @param command the command, while {@code PENDING} (its credential stays encrypted)
 * @param traceparent the command's W3C trace context, while {@code PENDING}
 * @param outcome the published state, once {@code DECIDED}: {@code PROCESSING}, {@code REJECTED} or
 *     {@code ABANDONED}
 * @param decidedAt when it was decided
 * @param commandId the command taken in; kept once {@code DECIDED}, so that a command repeated with
 *     a new id (a new acceptance by a gateway that forgot the transfer) can be told from a
 *     redelivery of the same one. Absent in records of earlier versions.
 * @param event the event published with the decision, once {@code DECIDED}: re-announced as it was
 *     (same {@code eventId}) when the transfer is requested again. Absent in records of earlier
 *     versions.
 */
public record TransferProgress(
    int schemaVersion,
    String server,
    String trackingId,
    String sender,
    Status status,
    int commandPartition,
    Instant acceptedAt,
    Instant deadline,
    @Nullable FinalizeCommand command,
    @Nullable String traceparent,
    @Nullable TransferState outcome,
    @Nullable Instant decidedAt,
    @Nullable UUID commandId,
    @Nullable TransferEvent event) {

  public static final int SCHEMA_VERSION = 1;

  /** CloudEvents {@code ce_type} of this record. */
  public static final String CLOUD_EVENT_TYPE = "io.github.cspipeline.transfer-worker.progress.v1";

  public enum Status {
    PENDING,
    DECIDED
  }

  public TransferProgress {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(trackingId, "trackingId");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(acceptedAt, "acceptedAt");
    Objects.requireNonNull(deadline, "deadline");
    if (status == Status.PENDING && command == null) {
      throw new IllegalArgumentException("a pending transfer needs its command");
    }
    if (status == Status.DECIDED && outcome == null) {
      throw new IllegalArgumentException("a decided transfer needs its outcome");
    }
  }

  /** A command just taken in. */
  public static TransferProgress pending(
      FinalizeCommand command,
      int commandPartition,
      Instant acceptedAt,
      Instant deadline,
      @Nullable String traceparent) {
    return new TransferProgress(
        SCHEMA_VERSION,
        command.server(),
        command.trackingId(),
        command.sender(),
        Status.PENDING,
        commandPartition,
        acceptedAt,
        deadline,
        command,
        traceparent,
        null,
        null,
        command.commandId(),
        null);
  }

  /** The same transfer, decided; the command (and its credential) is no longer kept. */
  public TransferProgress decided(TransferState outcome, Instant at) {
    return decided(outcome, at, null);
  }

  /**
   * The same transfer, decided by publishing {@code event}, which is kept to be announced again;
   * the command (and its credential) is no longer kept.
   */
  public TransferProgress decided(TransferEvent event) {
    return decided(event.state(), event.occurredAt(), event);
  }

  private TransferProgress decided(
      TransferState outcome, Instant at, @Nullable TransferEvent event) {
    return new TransferProgress(
        SCHEMA_VERSION,
        server,
        trackingId,
        sender,
        Status.DECIDED,
        commandPartition,
        acceptedAt,
        deadline,
        null,
        null,
        outcome,
        at,
        commandId,
        event);
  }

  /** The record key on the state topic: {@code server/trackingId} (tracking ids have no '/'). */
  public String key() {
    return key(server, trackingId);
  }

  public static String key(String server, String trackingId) {
    return server + "/" + trackingId;
  }

  public boolean isPending() {
    return status == Status.PENDING;
  }
}

package io.github.cspipeline.example.consumer.event;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The fields of a {@code TransferEvent} v1 (docs/schemas/transfer-event.v1.schema.json) this
 * consumer needs. Unknown fields are ignored: v1 may gain fields at any time.
 *
 * @param eventId the event's id (= header {@code ce_id})
 * @param server the Cryptshare server's id in the pipeline
 * @param sender the transfer's sender
 * @param trackingId the transfer's tracking id (= the record key)
 * @param state the new state (= header {@code ce_transferstate})
 * @param occurredAt when the pipeline saw the change
 * @param recipients the recipients; on {@code ACTIVE} with their download URLs
 * @param error why a transfer ended {@code REJECTED} or {@code ABANDONED}; null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransferEvent(
    String eventId,
    String server,
    String sender,
    String trackingId,
    String state,
    Instant occurredAt,
    List<Recipient> recipients,
    @Nullable Problem error) {

  public TransferEvent {
    requireNonNull(eventId, "eventId");
    requireNonNull(server, "server");
    requireNonNull(sender, "sender");
    requireNonNull(trackingId, "trackingId");
    requireNonNull(state, "state");
    requireNonNull(occurredAt, "occurredAt");
    recipients = List.copyOf(requireNonNull(recipients, "recipients"));
  }

  /**
   * @param downloadUrl the recipient's personal download link; null when Cryptshare does not reveal
   *     it. Whoever has it can reach the download: treat it like a password.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Recipient(String mail, @Nullable URI downloadUrl, boolean notificationFailed) {
    public Recipient {
      requireNonNull(mail, "mail");
    }
  }

  /**
   * @param code stable; branch on it (new codes may appear within v1)
   * @param message for people; the contract promises it holds no secret
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Problem(String code, @Nullable String message) {
    public Problem {
      requireNonNull(code, "code");
    }
  }
}

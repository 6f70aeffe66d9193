package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.session.FileInfo;
import io.github.cspipeline.simulator.session.Outcome;
import io.github.cspipeline.simulator.session.Recipients;
import io.github.cspipeline.simulator.session.TransferSettings;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A finalized transfer. Immutable except for a state forced through the control API; the state is
 * computed from the clock when asked, so no timer runs per transfer. Kept small: benchmarks hold a
 * hundred thousand of these.
 */
public final class Transfer {

  private final String trackingId;
  private final String sender;
  private final String senderKey;
  private final @Nullable String creatingToken;
  private final Recipients recipients;
  private final List<String> recipientIds;
  private final List<FileInfo> files;
  private final TransferSettings settings;
  private final Instant finalizedAt;
  private final Instant readyAt;
  private final Instant expiresAt;
  private final Outcome outcome;
  private volatile @Nullable String forcedState;

  /**
   * @param creatingToken the token that created the session; {@code null} for a seeded session
   * @param recipientIds the recipient transfer ids, in the order to, cc, bcc
   */
  public Transfer(
      String trackingId,
      String sender,
      String senderKey,
      @Nullable String creatingToken,
      Recipients recipients,
      List<String> recipientIds,
      List<FileInfo> files,
      TransferSettings settings,
      Instant finalizedAt,
      Instant readyAt,
      Instant expiresAt,
      Outcome outcome) {
    if (recipientIds.size() != recipients.size()) {
      throw new IllegalArgumentException("one recipient transfer id per recipient");
    }
    this.trackingId = trackingId;
    this.sender = sender;
    this.senderKey = senderKey;
    this.creatingToken = creatingToken;
    this.recipients = recipients;
    this.recipientIds = List.copyOf(recipientIds);
    this.files = List.copyOf(files);
    this.settings = settings;
    this.finalizedAt = finalizedAt;
    this.readyAt = readyAt;
    this.expiresAt = expiresAt;
    this.outcome = outcome;
  }

  public String state(Instant now) {
    String forced = forcedState;
    if (forced != null) {
      return forced;
    }
    if (now.isBefore(readyAt)) {
      return TransferStates.PROCESSING;
    }
    if (outcome == Outcome.FAILED) {
      return TransferStates.FAILED;
    }
    return now.isBefore(expiresAt) ? TransferStates.ACTIVE : TransferStates.DELETED_BY_EXPIRATION;
  }

  /** Forces a state, e.g. DELETED_BY_ADMIN or one Cryptshare may add later; null lifts it. */
  public void forceState(@Nullable String state) {
    forcedState = state;
  }

  public String trackingId() {
    return trackingId;
  }

  public String sender() {
    return sender;
  }

  public String senderKey() {
    return senderKey;
  }

  public @Nullable String creatingToken() {
    return creatingToken;
  }

  public Recipients recipients() {
    return recipients;
  }

  public List<String> recipientIds() {
    return recipientIds;
  }

  public List<FileInfo> files() {
    return files;
  }

  public TransferSettings settings() {
    return settings;
  }

  public Instant finalizedAt() {
    return finalizedAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Outcome outcome() {
    return outcome;
  }
}

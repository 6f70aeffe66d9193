package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import org.jspecify.annotations.Nullable;

/**
 * A finalize command the worker can never process. It goes to the dead-letter topic at once and is
 * never retried. When the command could be read and its tracking id is usable as a record key, it
 * is {@linkplain #refused() refused} as well: the worker publishes {@code REJECTED} with {@link
 * #code()}, because the gateway may have accepted it.
 */
public final class InvalidCommandException extends RuntimeException {

  private final @Nullable String trackingId;
  private final @Nullable FinalizeCommand refused;
  private final @Nullable String code;

  /** Dead letter only: unreadable, or without a tracking id that can key an event. */
  public InvalidCommandException(@Nullable String trackingId, String reason) {
    this(trackingId, reason, null);
  }

  /** Dead letter only: unreadable, or without a tracking id that can key an event. */
  public InvalidCommandException(
      @Nullable String trackingId, String reason, @Nullable Throwable cause) {
    this(trackingId, null, null, reason, cause);
  }

  private InvalidCommandException(
      @Nullable String trackingId,
      @Nullable FinalizeCommand refused,
      @Nullable String code,
      String reason,
      @Nullable Throwable cause) {
    super("Invalid finalize command: " + reason, cause);
    this.trackingId = trackingId;
    this.refused = refused;
    this.code = code;
  }

  /**
   * A readable command with a usable tracking id that breaks a rule: {@code REJECTED} with {@code
   * code}, and a dead letter.
   *
   * @param reason which rule it breaks; never a secret
   */
  public static InvalidCommandException refused(
      FinalizeCommand command, String code, String reason) {
    return new InvalidCommandException(command.trackingId(), command, code, reason, null);
  }

  /** The command's tracking id, if it could be read. */
  public @Nullable String trackingId() {
    return trackingId;
  }

  /** The command to publish {@code REJECTED} for, or null for a dead letter only. */
  public @Nullable FinalizeCommand refused() {
    return refused;
  }

  /** The {@code error.code} of the {@code REJECTED} event, with {@link #refused()}. */
  public @Nullable String code() {
    return code;
  }

  /** The reason without the prefix, for the event's {@code error.message}. */
  public String reason() {
    return String.valueOf(getMessage()).substring("Invalid finalize command: ".length());
  }
}

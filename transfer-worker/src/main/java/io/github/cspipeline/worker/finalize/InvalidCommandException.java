package io.github.cspipeline.worker.finalize;

import org.jspecify.annotations.Nullable;

/**
 * A finalize command the worker can never process (unreadable, incomplete, unknown server, ...). It
 * goes to the dead-letter topic at once and is never retried.
 */
public final class InvalidCommandException extends RuntimeException {

  private final @Nullable String trackingId;

  public InvalidCommandException(@Nullable String trackingId, String reason) {
    this(trackingId, reason, null);
  }

  public InvalidCommandException(
      @Nullable String trackingId, String reason, @Nullable Throwable cause) {
    super("Invalid finalize command: " + reason, cause);
    this.trackingId = trackingId;
  }

  /** The command's tracking id, if it could be read. */
  public @Nullable String trackingId() {
    return trackingId;
  }
}

package io.github.cspipeline.poller.error;

import org.jspecify.annotations.Nullable;

/** Base of the poller's own exceptions; each names the transfer it concerns, when there is one. */
public abstract sealed class PollerException extends RuntimeException
    permits InvalidEventException, PublishException, PartitionUnavailableException {

  private final @Nullable String trackingId;

  protected PollerException(@Nullable String trackingId, String message) {
    super(message);
    this.trackingId = trackingId;
  }

  public @Nullable String trackingId() {
    return trackingId;
  }
}

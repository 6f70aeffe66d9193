package io.github.cspipeline.poller.error;

/** Base of the poller's own exceptions; each names the transfer it concerns. */
public abstract sealed class PollerException extends RuntimeException
    permits InvalidEventException, PublishException {

  private final String trackingId;

  protected PollerException(String trackingId, String message) {
    super(message);
    this.trackingId = trackingId;
  }

  public String trackingId() {
    return trackingId;
  }
}

package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.event.TransferEvent;

/**
 * Kafka did not take a transfer event; the command is redelivered and the event published again.
 */
public final class EventPublishException extends RuntimeException {

  private final String trackingId;

  public EventPublishException(TransferEvent event, Throwable cause) {
    super(
        "Could not publish the %s event of %s".formatted(event.state(), event.trackingId()), cause);
    this.trackingId = event.trackingId();
  }

  public String trackingId() {
    return trackingId;
  }
}

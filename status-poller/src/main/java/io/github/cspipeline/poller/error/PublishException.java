package io.github.cspipeline.poller.error;

import io.github.cspipeline.model.event.TransferEvent;

/**
 * Kafka did not commit a transaction of the poller (a terminal event, or watches with the offsets
 * of their events); nothing of it took effect, and it is tried again.
 */
public final class PublishException extends PollerException {

  public PublishException(TransferEvent event, Throwable cause) {
    super(
        event.trackingId(),
        "Could not publish %s event %s of transfer %s on server '%s': %s"
            .formatted(event.state(), event.eventId(), event.trackingId(), event.server(), cause));
    initCause(cause);
  }

  public PublishException(String what, Throwable cause) {
    super(null, "Could not write %s to Kafka: %s".formatted(what, cause));
    initCause(cause);
  }
}

package io.github.cspipeline.poller.error;

import io.github.cspipeline.model.event.TransferEvent;

/** Kafka did not acknowledge a terminal event; the watch stays and the event is tried again. */
public final class PublishException extends PollerException {

  public PublishException(TransferEvent event, Throwable cause) {
    super(
        event.trackingId(),
        "Could not publish %s event %s of transfer %s on server '%s': %s"
            .formatted(event.state(), event.eventId(), event.trackingId(), event.server(), cause));
    initCause(cause);
  }
}

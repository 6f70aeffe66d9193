package io.github.cspipeline.poller.publish;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PublishException;
import org.jspecify.annotations.Nullable;

/** Publishes the events the poller decides on. */
public interface EventPublisher {

  /**
   * Publishes {@code event} keyed by its trackingId and returns once Kafka acknowledged it.
   *
   * @param parentTraceparent the W3C trace context the event continues, if any
   * @throws PublishException when Kafka did not acknowledge the event
   */
  void publish(TransferEvent event, @Nullable String parentTraceparent);
}

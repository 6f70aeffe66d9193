package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.event.TransferEvent;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.KafkaTemplate;

/** Publishes transfer events, keyed by tracking id, with CloudEvents headers. */
public final class TransferEventPublisher {

  /** CloudEvents {@code ce_source} of everything the worker publishes. */
  public static final String SOURCE = "/cryptshare-pipeline/transfer-worker";

  static final String TRACEPARENT = "traceparent";

  private final KafkaTemplate<String, Object> kafka;
  private final String topic;

  public TransferEventPublisher(KafkaTemplate<String, Object> kafka, String topic) {
    this.kafka = kafka;
    this.topic = topic;
  }

  /**
   * Returns once Kafka acknowledged the event (acks=all).
   *
   * @param traceparent the W3C trace context of the command, carried over to the event
   * @throws EventPublishException Kafka did not take it
   */
  public void publish(TransferEvent event, byte @Nullable [] traceparent) {
    var record =
        CloudEvents.<Object>record(
            topic,
            event.trackingId(),
            event,
            event.eventId(),
            TransferEvent.CLOUD_EVENT_TYPE,
            SOURCE,
            event.occurredAt());
    if (traceparent != null) {
      record.headers().add(TRACEPARENT, traceparent);
    }
    try {
      kafka.send(record).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventPublishException(event, e);
    } catch (ExecutionException e) {
      throw new EventPublishException(event, e.getCause() == null ? e : e.getCause());
    } catch (RuntimeException e) {
      throw new EventPublishException(event, e);
    }
  }
}

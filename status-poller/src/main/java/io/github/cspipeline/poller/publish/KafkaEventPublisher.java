package io.github.cspipeline.poller.publish;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PublishException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.KafkaTemplate;

/** Publishes transfer events with CloudEvents headers and a {@code traceparent}. */
public final class KafkaEventPublisher implements EventPublisher {

  /** CloudEvents {@code ce_source} of the poller's events. */
  public static final String SOURCE = "/cryptshare-pipeline/status-poller";

  private final KafkaTemplate<String, TransferEvent> template;
  private final String topic;

  public KafkaEventPublisher(KafkaTemplate<String, TransferEvent> template, String topic) {
    this.template = template;
    this.topic = topic;
  }

  @Override
  public void publish(TransferEvent event, @Nullable String parentTraceparent) {
    var record =
        CloudEvents.record(
            topic,
            event.trackingId(),
            event,
            event.eventId(),
            TransferEvent.CLOUD_EVENT_TYPE,
            SOURCE,
            event.occurredAt());
    record
        .headers()
        .add(
            Traceparent.HEADER,
            Traceparent.childOf(parentTraceparent).getBytes(StandardCharsets.UTF_8));
    try {
      // The caller ends the watch only after this returns, so waiting here is what makes a lost
      // send mean "try again" rather than "transfer forgotten". Kafka's delivery.timeout.ms bounds
      // it.
      template.send(record).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException(event, e);
    } catch (ExecutionException e) {
      throw new PublishException(event, e.getCause() == null ? e : e.getCause());
    }
  }
}

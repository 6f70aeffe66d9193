package io.github.cspipeline.poller.publish;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/** The Kafka records of the events the poller publishes. */
public final class EventRecords {

  /** CloudEvents {@code ce_source} of the poller's events. */
  public static final String SOURCE = "/cryptshare-pipeline/status-poller";

  private EventRecords() {}

  /**
   * A terminal event for {@code partition} of the events topic: the partition of the transfer's
   * {@code PROCESSING} event, so that every event of a transfer stays in one partition and in
   * order. Keyed by trackingId, with CloudEvents headers and, when there is one, the {@code
   * traceparent} of the poll span that decided the event (a span of the {@code PROCESSING} event's
   * trace, ADR 020).
   */
  public static ProducerRecord<String, byte[]> terminal(
      String topic, int partition, TransferEvent event, @Nullable String traceparent) {
    var record =
        new ProducerRecord<String, byte[]>(
            topic, partition, event.trackingId(), WireFormat.mapper().writeValueAsBytes(event));
    CloudEvents.addEventHeaders(record.headers(), event, SOURCE);
    if (traceparent != null) {
      record.headers().add(Traceparent.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }
}

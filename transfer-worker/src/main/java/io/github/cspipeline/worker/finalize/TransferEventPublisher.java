package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.TransferProgress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Publishes a decision: the transfer event (key trackingId, CloudEvents headers, the command's
 * traceparent) and the transfer's {@code DECIDED} progress, together in one Kafka transaction.
 */
public final class TransferEventPublisher {

  /** CloudEvents {@code ce_source} of everything the worker publishes. */
  public static final String SOURCE = StateRecords.SOURCE;

  static final String TRACEPARENT = "traceparent";

  private final TransactionalWriter writer;
  private final StateRecords state;
  private final String topic;
  private final Clock clock;

  public TransferEventPublisher(
      TransactionalWriter writer, StateRecords state, String topic, Clock clock) {
    this.writer = writer;
    this.state = state;
    this.topic = topic;
    this.clock = clock;
  }

  /**
   * @return completes once both records are committed
   */
  public CompletableFuture<Void> publish(TransferEvent event, TransferProgress progress) {
    var record =
        CloudEvents.<Object>record(
            topic,
            event.trackingId(),
            event,
            event.eventId(),
            TransferEvent.CLOUD_EVENT_TYPE,
            SOURCE,
            event.occurredAt());
    var traceparent = progress.traceparent();
    if (traceparent != null) {
      record.headers().add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    List<ProducerRecord<String, Object>> records =
        List.of(
            record, state.of(progress.decided(event.state(), event.occurredAt()), clock.instant()));
    return writer.write(records);
  }

  static @Nullable String traceparentOf(byte @Nullable [] header) {
    return header == null ? null : new String(header, StandardCharsets.UTF_8);
  }
}

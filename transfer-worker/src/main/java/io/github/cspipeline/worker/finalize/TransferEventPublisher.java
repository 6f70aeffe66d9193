package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.TransferProgress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Publishes a decision: the transfer event (key trackingId, CloudEvents headers, the W3C {@code
 * traceparent} of the span that decided) and the transfer's {@code DECIDED} progress, together in
 * one Kafka transaction.
 */
public final class TransferEventPublisher {

  /** CloudEvents {@code ce_source} of everything the worker publishes. */
  public static final String SOURCE = StateRecords.SOURCE;

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
   * @param traceparent the W3C trace context of the span that decided (ADR 020), if any
   * @return completes once both records are committed
   */
  public CompletableFuture<Void> publish(
      TransferEvent event, TransferProgress progress, @Nullable String traceparent) {
    var decided = progress.decided(event);
    return writer.write(records(event, decided, traceparent), decided, progress.commandPartition());
  }

  /** See {@link TransactionalWriter#fence}. */
  public void fence(java.util.Set<Integer> commandPartitions) {
    writer.fence(commandPartitions);
  }

  /** See {@link TransactionalWriter#unfence}. */
  public void unfence(java.util.Set<Integer> commandPartitions) {
    writer.unfence(commandPartitions);
  }

  /**
   * The records of a decision, for a transaction of the caller's (e.g. a command refused at
   * intake): the event and the transfer's {@code DECIDED} progress, which keeps the event.
   */
  public List<ProducerRecord<String, Object>> records(
      TransferEvent event, TransferProgress progress, @Nullable String traceparent) {
    var decided = progress.isPending() ? progress.decided(event) : progress;
    return List.of(eventRecord(event, traceparent), state.of(decided, clock.instant()));
  }

  /**
   * The record of an event: key trackingId, CloudEvents headers ({@code ce_id} = {@code eventId},
   * subject, schema and state), and the {@code traceparent}, if any.
   */
  public ProducerRecord<String, Object> eventRecord(
      TransferEvent event, @Nullable String traceparent) {
    var record = new ProducerRecord<String, Object>(topic, event.trackingId(), event);
    CloudEvents.addEventHeaders(record.headers(), event, SOURCE);
    if (traceparent != null) {
      record.headers().add(Traceparent.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }

  /** The event kept with a decided transfer, to announce it again (its original id). */
  public ProducerRecord<String, Object> reannouncement(TransferProgress decided) {
    return eventRecord(Objects.requireNonNull(decided.event(), "event"), null);
  }
}

package io.github.cspipeline.example.consumer.event;

import io.github.cspipeline.example.consumer.event.ConsumerMetrics.Outcome;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kafka edge. Decides by the CloudEvents headers whether a record is for this consumer, drops
 * event ids it handled before, reads the value and calls the handler. The value arrives as bytes
 * and is read only for records that are handled; the same bytes, unchanged, go to the dead-letter
 * topic if handling fails. An exception leaves the record to the container's error handler
 * (config.KafkaConfig): retries, then the dead-letter topic.
 */
public class TransferEventListener {

  public static final String ID = "transfer-events";

  /** One type for every state of v1; a v2 would come with a type of its own. */
  public static final String EVENT_TYPE = "io.github.cspipeline.transfer-event.v1";

  private static final Set<String> TERMINAL =
      Set.of("ACTIVE", "FAILED", "DELETED", "REJECTED", "ABANDONED");

  private static final Logger log = LoggerFactory.getLogger(TransferEventListener.class);

  private final TransferEventHandler handler;
  private final HandledEventIds handledIds;
  private final ConsumerMetrics metrics;
  private final JsonMapper json;
  private final String topic;

  public TransferEventListener(
      TransferEventHandler handler,
      HandledEventIds handledIds,
      ConsumerMetrics metrics,
      JsonMapper json,
      String topic) {
    this.handler = handler;
    this.handledIds = handledIds;
    this.metrics = metrics;
    this.json = json;
    this.topic = topic;
  }

  /** For the listener annotation: {@code __listener} is this bean. */
  public String topic() {
    return topic;
  }

  // idIsGroup = false: the group is the configured one (KafkaConfig), not the listener's id.
  @KafkaListener(id = ID, idIsGroup = false, topics = "#{__listener.topic()}")
  void onEvent(ConsumerRecord<String, byte[]> record) {
    var state = CloudEventHeaders.get(record.headers(), CloudEventHeaders.TRANSFER_STATE);
    if (!EVENT_TYPE.equals(CloudEventHeaders.get(record.headers(), CloudEventHeaders.TYPE))
        || state == null
        || !TERMINAL.contains(state)) {
      metrics.count(Outcome.SKIPPED, state);
      return;
    }
    var eventId = CloudEventHeaders.get(record.headers(), CloudEventHeaders.ID);
    if (eventId == null) {
      throw new InvalidEventException("A " + state + " event without a ce_id header");
    }
    if (handledIds.contains(eventId)) {
      log.debug(
          "Event {} ({} of {}) was handled before; skipping it", eventId, state, record.key());
      metrics.count(Outcome.DUPLICATE, state);
      return;
    }
    var event = read(record, state);
    switch (state) {
      case "ACTIVE" -> handler.onActive(event);
      case "FAILED" -> handler.onFailed(event);
      default -> handler.onEndedWithoutDownloads(event);
    }
    handledIds.add(eventId);
    metrics.count(Outcome.HANDLED, state);
  }

  private TransferEvent read(ConsumerRecord<String, byte[]> record, String state) {
    if (record.value() == null) {
      throw new InvalidEventException("A " + state + " event without a value");
    }
    TransferEvent event;
    try {
      event = json.readValue(record.value(), TransferEvent.class);
    } catch (JacksonException e) {
      // Where, not what: Jackson's message may quote the value (a download URL) and must not
      // reach the logs. The dead letter keeps the value itself.
      var where = e.getPathReference();
      throw new InvalidEventException(
          "Not a TransferEvent v1: %s at %s"
              .formatted(
                  e.getClass().getSimpleName(),
                  where.isEmpty() && e.getLocation() != null
                      ? e.getLocation().offsetDescription()
                      : where));
    }
    if (!event.state().equals(state)) {
      throw new InvalidEventException(
          "ce_transferstate " + state + " but state " + event.state() + " in the value");
    }
    return event;
  }
}

package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.InvalidEventException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * The Kafka edge of the intake: reads transfer events and hands them to the {@link WatchKeeper}.
 */
public class TransferEventListener {

  static final String TRACEPARENT = "traceparent";

  private final WatchKeeper keeper;
  private final String topic;

  public TransferEventListener(WatchKeeper keeper, String topic) {
    this.keeper = keeper;
    this.topic = topic;
  }

  /** The topic this listener reads, for the {@code @KafkaListener} expression. */
  public String topic() {
    return topic;
  }

  @KafkaListener(id = "status-poller-events", idIsGroup = false, topics = "#{__listener.topic()}")
  public void onEvent(ConsumerRecord<String, @Nullable TransferEvent> record) {
    var event = record.value();
    if (event == null) {
      throw new InvalidEventException("?", String.valueOf(record.key()), "has no value");
    }
    keeper.onEvent(event, header(record, TRACEPARENT));
  }

  private static @Nullable String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}

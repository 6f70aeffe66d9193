package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * The Kafka edge of the worker: takes a poll's finalize commands, has them worked on together and
 * commits what is done.
 *
 * <p>Valid commands before the first invalid one are processed; then the invalid one is handed to
 * the error handler (dead-letter topic) and the rest is redelivered. A command that could not be
 * finished is negatively acknowledged: earlier records are committed, it and the later ones come
 * again.
 */
public final class FinalizeCommandListener {

  /** The id of the listener container. */
  public static final String ID = "transfer-worker-finalize";

  private static final Logger log = LoggerFactory.getLogger(FinalizeCommandListener.class);
  private static final LogAccessor kafkaLog = new LogAccessor(FinalizeCommandListener.class);
  private static final int MAX_REASON = 300;

  private final BatchFinalizer finalizer;
  private final CommandValidator validator;
  private final String topic;
  private final String groupId;
  private final Duration redeliveryPause;

  public FinalizeCommandListener(
      BatchFinalizer finalizer,
      CommandValidator validator,
      String topic,
      String groupId,
      Duration redeliveryPause) {
    this.finalizer = finalizer;
    this.validator = validator;
    this.topic = topic;
    this.groupId = groupId;
    this.redeliveryPause = redeliveryPause;
  }

  public String topic() {
    return topic;
  }

  public String groupId() {
    return groupId;
  }

  @KafkaListener(
      id = ID,
      topics = "#{__listener.topic()}",
      groupId = "#{__listener.groupId()}",
      batch = "true")
  public void onCommands(
      List<ConsumerRecord<String, @Nullable FinalizeCommand>> records, Acknowledgment ack) {
    var work = new ArrayList<BatchFinalizer.Work>(records.size());
    InvalidCommandException invalid = null;
    for (var record : records) {
      try {
        work.add(new BatchFinalizer.Work(commandOf(record), traceparentOf(record)));
      } catch (InvalidCommandException e) {
        invalid = e;
        break;
      }
    }

    var results = finalizer.finalizeAll(work);
    for (int i = 0; i < results.size(); i++) {
      switch (results.get(i)) {
        case BatchFinalizer.Result.Done done -> {}
        case BatchFinalizer.Result.Postponed postponed -> {
          ack.nack(i, redeliveryPause);
          return;
        }
        case BatchFinalizer.Result.Failed failed ->
            throw new BatchListenerFailedException(
                "Finalize of " + work.get(i).command().trackingId() + " failed", failed.cause(), i);
      }
    }
    if (invalid != null) {
      int index = work.size();
      var record = records.get(index);
      log.warn(
          "Command with key {} at {}-{}@{} is invalid ({}); sending it to the dead-letter topic",
          record.key(),
          record.topic(),
          record.partition(),
          record.offset(),
          invalid.getMessage());
      throw new BatchListenerFailedException(invalid.getMessage(), invalid, index);
    }
    ack.acknowledge();
  }

  private FinalizeCommand commandOf(ConsumerRecord<String, @Nullable FinalizeCommand> record) {
    var unreadable =
        SerializationUtils.getExceptionFromHeader(
            record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, kafkaLog);
    if (unreadable != null) {
      throw new InvalidCommandException(
          null, "unreadable value (" + reason(unreadable) + ")", unreadable);
    }
    var command = record.value();
    if (command == null) {
      throw new InvalidCommandException(null, "record without a value");
    }
    validator.validate(command);
    if (!Objects.equals(record.key(), command.trackingId())) {
      // Ordering per transfer relies on the key; the command itself is still fine.
      log.warn(
          "Command for {} arrived with a different key; processing it anyway",
          command.trackingId());
    }
    return command;
  }

  private static byte @Nullable [] traceparentOf(ConsumerRecord<?, ?> record) {
    var header = record.headers().lastHeader(TransferEventPublisher.TRACEPARENT);
    return header == null ? null : header.value();
  }

  private static String reason(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    var message = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
    return message.length() <= MAX_REASON ? message : message.substring(0, MAX_REASON) + "...";
  }
}

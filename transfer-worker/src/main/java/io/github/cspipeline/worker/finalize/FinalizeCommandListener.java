package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.worker.state.StateUnavailableException;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.BatchConsumerAwareMessageListener;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The Kafka edge of the worker. Runs inside the container's Kafka transaction: for each command of
 * a poll it writes either the transfer's {@code PENDING} progress (a new transfer), nothing (a
 * transfer already taken in or decided: no second finalize), a {@code REJECTED} event with the
 * transfer's {@code DECIDED} progress and a dead letter (a readable command that breaks the rules),
 * or only a dead letter (unreadable, or no tracking id that can key an event); the container
 * commits the offsets in the same transaction. The transfers start once the transaction is
 * committed, so the listener returns in milliseconds whatever Cryptshare does.
 *
 * <p>A plain listener in a container bean, not a {@code @KafkaListener} method: Spring's adapter
 * for those is {@code ConsumerSeekAware}, and for such listeners the container asks the consumer
 * for every newly assigned partition's position before it calls the rebalance listener. While a
 * killed instance's transaction still holds the partition's offset the position waits, and when the
 * wait ran into the consumer's API timeout the rebalance listener ({@link TransferWork}'s takeover)
 * was never called: the partition's pending transfers waited for its next command.
 */
public final class FinalizeCommandListener
    implements BatchConsumerAwareMessageListener<String, @Nullable FinalizeCommand> {

  /** The id of the listener container. */
  public static final String ID = "transfer-worker-finalize";

  private static final Logger log = LoggerFactory.getLogger(FinalizeCommandListener.class);
  private static final LogAccessor kafkaLog = new LogAccessor(FinalizeCommandListener.class);
  private static final int MAX_REASON = 300;

  private final TransferWork work;
  private final CommandValidator validator;
  private final KafkaOperations<String, Object> kafka;
  private final ConsumerAwareRecordRecoverer deadLetters;
  private final String topic;
  private final String groupId;

  public FinalizeCommandListener(
      TransferWork work,
      CommandValidator validator,
      KafkaOperations<String, Object> kafka,
      ConsumerAwareRecordRecoverer deadLetters,
      String topic,
      String groupId) {
    this.work = work;
    this.validator = validator;
    this.kafka = kafka;
    this.deadLetters = deadLetters;
    this.topic = topic;
    this.groupId = groupId;
  }

  public String topic() {
    return topic;
  }

  public String groupId() {
    return groupId;
  }

  @Override
  public void onMessage(
      List<ConsumerRecord<String, @Nullable FinalizeCommand>> records, Consumer<?, ?> consumer) {
    var accepted = new ArrayList<TransferProgress>();
    var refused = new ArrayList<TransferWork.Refused>();
    afterTransaction(accepted, refused);
    for (var record : records) {
      try {
        take(record, accepted);
      } catch (InvalidCommandException e) {
        // The gateway may have accepted it: a readable command ends REJECTED; the dead letter
        // keeps the record for an operator, in addition.
        if (e.refused() == null || refuse(record, e, refused)) {
          log.warn(
              "Command with key {} at {}-{}@{} is invalid ({}); sending it to the dead-letter"
                  + " topic",
              record.key(),
              record.topic(),
              record.partition(),
              record.offset(),
              e.getMessage());
          deadLetters.accept(record, consumer, e);
        }
      } catch (StateUnavailableException
          | org.apache.kafka.common.KafkaException
          | org.springframework.kafka.KafkaException e) {
        // The partition's state could not be read or written, or Kafka refused a record: nothing
        // is wrong with the command. Rolling back redelivers the poll after a backoff.
        throw e;
      } catch (RuntimeException e) {
        // Taking a command in makes no remote call, so trying again would fail the same way.
        log.error(
            "Command with key {} at {}-{}@{} could not be taken in; sending it to the dead-letter"
                + " topic",
            record.key(),
            record.topic(),
            record.partition(),
            record.offset(),
            e);
        deadLetters.accept(record, consumer, e);
      }
    }
  }

  private void take(
      ConsumerRecord<String, @Nullable FinalizeCommand> record, List<TransferProgress> accepted) {
    var command = commandOf(record);
    switch (work.admit(command, record.partition(), traceparentOf(record))) {
      case TransferWork.Admission.Accepted a -> {
        try {
          kafka.send(a.record());
        } catch (RuntimeException e) {
          // Kafka did not take the record (e.g. no metadata in time): nothing is wrong with the
          // command. Forget it and roll the intake back, so that it comes again.
          work.forget(List.of(a.progress()));
          throw new StateUnavailableException(
              "could not write the progress of " + command.trackingId(), e);
        }
        accepted.add(a.progress());
      }
      case TransferWork.Admission.Reannounce r -> {
        log.info(
            "{} was decided already ({}) and is requested again by a new command; publishing its"
                + " decision again, with its original event id",
            command.trackingId(),
            r.existing().outcome());
        try {
          kafka.send(r.event());
        } catch (RuntimeException e) {
          throw new StateUnavailableException(
              "could not announce the decision of " + command.trackingId() + " again", e);
        }
      }
      case TransferWork.Admission.Duplicate d ->
          log.info(
              "{} was taken in already ({}); not finalizing it again",
              command.trackingId(),
              d.existing() instanceof TransferBook.Entry.Decided decided
                  ? "decided " + decided.outcome()
                  : "in work");
    }
  }

  /**
   * @return whether the command was refused now (false: its transfer is known already, so nothing
   *     is published and nothing dead-lettered)
   */
  private boolean refuse(
      ConsumerRecord<String, @Nullable FinalizeCommand> record,
      InvalidCommandException invalid,
      List<TransferWork.Refused> refused) {
    var command = Objects.requireNonNull(invalid.refused(), "refused");
    var refusal =
        work.refuse(
            command,
            record.partition(),
            traceparentOf(record),
            new TransferError(
                Objects.requireNonNull(invalid.code(), "code"), invalid.reason(), null, null));
    if (refusal == null) {
      log.info("{} was taken in already; not refusing it again", command.trackingId());
      return false;
    }
    try {
      refusal.records().forEach(kafka::send);
    } catch (RuntimeException e) {
      work.forget(List.of(refusal.progress()));
      throw new StateUnavailableException(
          "could not write the refusal of " + command.trackingId(), e);
    }
    refused.add(refusal);
    log.warn(
        "{} cannot be processed ({}); publishing REJECTED ({})",
        command.trackingId(),
        invalid.reason(),
        invalid.code());
    return true;
  }

  private static @Nullable String traceparentOf(ConsumerRecord<?, ?> record) {
    var traceparent = record.headers().lastHeader(Traceparent.HEADER);
    return traceparent == null || traceparent.value() == null
        ? null
        : new String(traceparent.value(), StandardCharsets.UTF_8);
  }

  // Transfers start only once their PENDING progress and the offsets are committed: a decision
  // published earlier could land before the PENDING record and be hidden by it on the compacted
  // topic.
  private void afterTransaction(
      List<TransferProgress> accepted, List<TransferWork.Refused> refused) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      throw new IllegalStateException("the finalize listener must run in a Kafka transaction");
    }
    TransactionSynchronizationManager.registerSynchronization(
        new TransactionSynchronization() {
          @Override
          public void afterCompletion(int status) {
            if (status == STATUS_COMMITTED) {
              work.refused(List.copyOf(refused));
              work.start(List.copyOf(accepted));
              return;
            }
            var taken = new ArrayList<>(accepted);
            refused.forEach(r -> taken.add(r.progress()));
            if (status == STATUS_UNKNOWN) {
              // The commit may have succeeded: only the state topic can tell.
              work.recheck(List.copyOf(taken));
            } else {
              log.info(
                  "Intake transaction of {} commands rolled back; they will be redelivered",
                  taken.size());
              work.forget(List.copyOf(taken));
            }
          }
        });
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
      // Idempotency relies on all commands of a transfer sharing a partition, i.e. on the key.
      log.warn(
          "Command for {} arrived with a different key; processing it anyway",
          command.trackingId());
    }
    return command;
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

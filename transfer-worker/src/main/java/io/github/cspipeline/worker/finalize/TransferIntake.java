package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.worker.state.StateMetrics;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * What becomes of a command at intake (consumer thread, inside the intake transaction): a new
 * transfer, a duplicate of one known already (in work, or decided: no second finalize), a decision
 * announced again, or a refusal. The book answers for the transfers it holds; one it may have
 * forgotten to bound its memory is looked up on the state topic first.
 */
final class TransferIntake {

  private final TransferBook book;
  private final PartitionOwnership ownership;
  private final TransferJobs jobs;
  private final StateRecords stateRecords;
  private final TransferEventPublisher publisher;
  private final DecisionEvents events;
  private final TransferTracing tracing;
  private final FinalizeMetrics metrics;
  private final StateMetrics stateMetrics;
  private final Clock clock;
  private final Function<String, Duration> budgets;
  private final Function<TransferProgress, ProducerRecord<String, Object>> eventRecords;
  private final Duration reannounceAfter;

  /** See {@link TransferWork#TransferWork} for the parameters. */
  TransferIntake(
      TransferBook book,
      PartitionOwnership ownership,
      TransferJobs jobs,
      StateRecords stateRecords,
      TransferEventPublisher publisher,
      DecisionEvents events,
      TransferTracing tracing,
      FinalizeMetrics metrics,
      StateMetrics stateMetrics,
      Clock clock,
      Function<String, Duration> budgets,
      Function<TransferProgress, ProducerRecord<String, Object>> eventRecords,
      Duration reannounceAfter) {
    this.book = book;
    this.ownership = ownership;
    this.jobs = jobs;
    this.stateRecords = stateRecords;
    this.publisher = publisher;
    this.events = events;
    this.tracing = tracing;
    this.metrics = metrics;
    this.stateMetrics = stateMetrics;
    this.clock = clock;
    this.budgets = budgets;
    this.eventRecords = eventRecords;
    this.reannounceAfter = reannounceAfter;
  }

  /** See {@link TransferWork#admit}. */
  TransferWork.Admission admit(
      FinalizeCommand command, int partition, @Nullable String traceparent) {
    // The restore at assignment may have failed (e.g. the state topic was unreachable): try again
    // now. If it fails again, the intake transaction rolls back and the commands come again later.
    ownership.ensureOwned(partition);
    var key = TransferProgress.key(command.server(), command.trackingId());
    var known = book.get(partition, key);
    TransferProgress read = null;
    if (known == null && book.mayHaveForgotten(key)) {
      read = ownership.lookUp(partition, key);
      known = remember(partition, key, read);
    }
    if (known instanceof TransferBook.Entry.Decided decided
        && decided.commandId() != null
        && !decided.commandId().equals(command.commandId())
        && !decided.decidedAt().isAfter(clock.instant().minus(reannounceAfter))) {
      // The kept event is on the state topic only; one read serves the lookup and this.
      var found = read != null ? read : ownership.lookUp(partition, key);
      var again = found == null || found.event() == null ? null : eventRecords.apply(found);
      if (again != null) {
        stateMetrics.reannounced(command.server());
        return new TransferWork.Admission.Reannounce(decided, again);
      }
    }
    if (known != null) {
      metrics.duplicate(command.server());
      return new TransferWork.Admission.Duplicate(known);
    }
    var now = clock.instant();
    var progress =
        TransferProgress.pending(
            command,
            partition,
            now,
            now.plus(budgets.apply(command.server())),
            tracing.intake(traceparent, command));
    var existing = book.admit(progress);
    if (existing != null) {
      metrics.duplicate(command.server());
      return new TransferWork.Admission.Duplicate(existing);
    }
    return new TransferWork.Admission.Accepted(progress, stateRecords.of(progress, now));
  }

  // A transfer whose decided entry the book may have forgotten (to bound its memory): the state
  // topic knows. Read on the consumer thread; rare, because repeats normally come within seconds.
  private TransferBook.@Nullable Entry remember(
      int partition, String key, @Nullable TransferProgress found) {
    if (found == null) {
      return null;
    }
    book.merge(partition, List.of(found)).forEach(p -> jobs.launch(p, true));
    return book.get(partition, key);
  }

  /** See {@link TransferWork#refuse}. */
  TransferWork.@Nullable Refused refuse(
      FinalizeCommand command, int partition, @Nullable String traceparent, TransferError error) {
    ownership.ensureOwned(partition);
    var now = clock.instant();
    var progress =
        TransferProgress.pending(
            command, partition, now, now, tracing.intake(traceparent, command));
    var known = book.get(partition, progress.key());
    if (known == null && book.mayHaveForgotten(progress.key())) {
      known = remember(partition, progress.key(), ownership.lookUp(partition, progress.key()));
    }
    var existing = known != null ? known : book.admit(progress);
    if (existing != null) {
      metrics.duplicate(command.server());
      return null;
    }
    var event = events.rejected(command, now, error);
    return new TransferWork.Refused(
        progress, event, publisher.records(event, progress, progress.traceparent()));
  }
}

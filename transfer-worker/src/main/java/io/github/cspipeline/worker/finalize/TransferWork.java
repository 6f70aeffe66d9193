package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.state.ProgressRestorer;
import io.github.cspipeline.worker.state.StateMetrics;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * The transfers this instance works on. A command is taken in within the consumer's transaction
 * (its {@code PENDING} progress is written with its offset) and worked on, once that transaction is
 * committed, on a virtual thread of its own; its decision is published with its {@code DECIDED}
 * progress in another transaction. So the consumer never waits for Cryptshare, and a transfer is
 * never lost: whoever owns its command partition next reads the progress back and resumes it.
 *
 * <p>On revocation the work of the partitions given up is stopped, requests in flight are waited
 * for, and their decisions are published before the partitions go to another instance, so that two
 * instances never work on one transfer at the same time.
 *
 * <p>This class is the consumer's side: its API to the listener (intake, and what follows the
 * intake transaction), the rebalance callbacks and the lifecycle. What a command becomes is {@link
 * TransferIntake}'s decision; the running transfers are {@link TransferJobs}'; taking partitions
 * over from the state topic and giving them up is {@link PartitionOwnership}'s.
 */
public final class TransferWork implements ConsumerAwareRebalanceListener, SmartLifecycle {

  /** What to do with a command taken in. */
  public sealed interface Admission {
    /** New: write its progress record in the intake transaction, start it after commit. */
    record Accepted(TransferProgress progress, ProducerRecord<String, Object> record)
        implements Admission {}

    /** Known already (being worked on, or decided): nothing to do. */
    record Duplicate(TransferBook.Entry existing) implements Admission {}

    /**
     * Decided already, and requested again by a new command (the gateway that sent it no longer
     * knew the transfer): publish the decision again as it was, same event id, in the intake
     * transaction, so that whoever asked learns the outcome. Nothing is finalized again.
     */
    record Reannounce(TransferBook.Entry.Decided existing, ProducerRecord<String, Object> event)
        implements Admission {}
  }

  /**
   * A command refused at intake: its {@code REJECTED} event and {@code DECIDED} progress go into
   * the intake transaction.
   */
  public record Refused(
      TransferProgress progress,
      TransferEvent event,
      List<ProducerRecord<String, Object>> records) {
    public Refused {
      records = List.copyOf(records);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(TransferWork.class);

  private final TransferBook book;
  private final FinalizeMetrics metrics;
  private final Clock clock;
  private final String commandsTopic;
  private final Duration revokeGrace;
  private final TransferJobs jobs;
  private final PartitionOwnership ownership;
  private final TransferIntake intake;
  private volatile Runnable onChange = () -> {};
  private volatile boolean running;

  /**
   * @param budgets the retry budget of each server
   * @param revokeGrace how long a revocation waits for requests in flight (longer than any read
   *     timeout)
   * @param eventRecords the event record of a decided transfer's kept event, to announce it again
   * @param reannounceAfter how old a decision must be before a new command for it is answered by
   *     announcing it again: a gateway that still knows the transfer (it sent a second command
   *     under faults, say) sees the first announcement; only one that forgot it needs another
   */
  public TransferWork(
      TransferBook book,
      ProgressRestorer restorer,
      StateRecords stateRecords,
      Finalizer finalizer,
      TransferEventPublisher publisher,
      TransferTracing tracing,
      FinalizeMetrics metrics,
      Clock clock,
      Function<String, Duration> budgets,
      String commandsTopic,
      Duration revokeGrace,
      StateMetrics stateMetrics,
      Function<TransferProgress, ProducerRecord<String, Object>> eventRecords,
      Duration reannounceAfter) {
    this.book = book;
    this.metrics = metrics;
    this.clock = clock;
    this.commandsTopic = commandsTopic;
    this.revokeGrace = revokeGrace;
    // Built here, not injected: they share this instance's book and change listener, and the
    // configuration keeps wiring one bean.
    var events = new DecisionEvents(clock);
    this.jobs =
        new TransferJobs(
            book, finalizer, publisher, events, tracing, metrics, clock, this::changed);
    this.ownership =
        new PartitionOwnership(
            book, restorer, publisher, jobs, stateMetrics, clock, this::isRunning, this::changed);
    this.intake =
        new TransferIntake(
            book,
            ownership,
            jobs,
            stateRecords,
            publisher,
            events,
            tracing,
            metrics,
            stateMetrics,
            clock,
            budgets,
            eventRecords,
            reannounceAfter);
  }

  /** Called whenever the number of transfers in work changes. */
  public void onChange(Runnable listener) {
    this.onChange = listener;
  }

  private void changed() {
    onChange.run();
  }

  /** Transfers in work on this instance. */
  public int pending() {
    return book.pending();
  }

  /** Decided transfers this instance keeps in memory. */
  public int remembered() {
    return book.decided();
  }

  /**
   * Takes a valid command in (consumer thread, inside the intake transaction). The trace context
   * kept with the transfer is the command's, or a new trace's when it came without a valid one.
   *
   * @param traceparent the command record's W3C {@code traceparent} header, if any
   * @throws IllegalStateException the partition is not owned (a bug of the caller)
   */
  public Admission admit(FinalizeCommand command, int partition, @Nullable String traceparent) {
    return intake.admit(command, partition, traceparent);
  }

  /**
   * Ends a command that can never be processed, but whose tracking id can key an event, with {@code
   * REJECTED} (consumer thread, inside the intake transaction): the gateway may have accepted it,
   * and every accepted command ends in exactly one terminal event. Its {@code DECIDED} progress is
   * written with the event, so a repeated command publishes nothing.
   *
   * @return the records to send in the intake transaction, or null when the transfer is known
   *     already (taken in or decided): nothing to publish
   */
  public @Nullable Refused refuse(
      FinalizeCommand command, int partition, @Nullable String traceparent, TransferError error) {
    return intake.refuse(command, partition, traceparent, error);
  }

  /** The intake transaction of these refusals is committed: they are decided. */
  public void refused(List<Refused> refusals) {
    for (var refusal : refusals) {
      book.decided(refusal.progress(), refusal.event().state(), clock.instant());
      metrics.decided(refusal.progress().server(), refusal.event().state(), Duration.ZERO);
    }
    changed();
  }

  /** The intake transaction of these transfers is committed: start working on them. */
  public void start(List<TransferProgress> accepted) {
    accepted.forEach(progress -> jobs.launch(progress, false));
    changed();
  }

  /** The intake transaction was rolled back: the commands come again. */
  public void forget(List<TransferProgress> accepted) {
    accepted.forEach(book::forget);
    changed();
  }

  /**
   * The outcome of the intake transaction of these transfers is unknown: forget them, and start
   * those whose {@code PENDING} record the state topic shows once it can be read (in the
   * background, retried until it can, so the consumer is not held up while Kafka is away). Only
   * these transfers are looked at: the book's other entries are newer than any read.
   */
  public void recheck(List<TransferProgress> accepted) {
    accepted.forEach(book::forget);
    ownership.recheck(accepted);
    changed();
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    var assigned = commandPartitions(partitions);
    if (!assigned.isEmpty()) {
      ownership.assigned(assigned);
    }
  }

  @Override
  public void onPartitionsRevokedBeforeCommit(
      Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    giveUp(commandPartitions(partitions));
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    // Another instance may own them already: stop at once, but still let requests in flight end.
    giveUp(commandPartitions(partitions));
  }

  /** Stops all work, e.g. when the worker shuts down. */
  public void stopAll() {
    giveUp(jobs.partitions());
  }

  // Work first, then ownership: the partitions' decisions in flight are published (or fenced)
  // before another instance may take them over.
  private void giveUp(Set<Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    int stopped = jobs.stop(partitions, revokeGrace);
    ownership.release(partitions);
    log.info(
        "Gave up command partitions {}; stopped {} transfers in work",
        new TreeSet<>(partitions),
        stopped);
    changed();
  }

  private Set<Integer> commandPartitions(Collection<TopicPartition> partitions) {
    return partitions.stream()
        .filter(tp -> tp.topic().equals(commandsTopic))
        .map(TopicPartition::partition)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Override
  public void start() {
    running = true;
  }

  /** Whatever revocation left over (the containers revoke their partitions when they stop). */
  @Override
  public void stop() {
    running = false;
    stopAll();
    jobs.shutdown();
    ownership.shutdown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  // After the listener containers, before the transactional writer.
  @Override
  public int getPhase() {
    return AbstractMessageListenerContainer.DEFAULT_PHASE - 1;
  }
}

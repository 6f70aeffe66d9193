package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.worker.resilience.StopSwitch;
import io.github.cspipeline.worker.state.ProgressRestorer;
import io.github.cspipeline.worker.state.StateMetrics;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.StateUnavailableException;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

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

  private record Job(TransferProgress progress, StopSwitch stopSwitch) {}

  private static final Logger log = LoggerFactory.getLogger(TransferWork.class);
  private static final Duration RESTART_AFTER_BUG = Duration.ofSeconds(5);
  // Reading the state topic back is retried this often until it succeeds or the partition goes:
  // a partition whose transfers cannot be read must not wait for its next command or rebalance.
  private static final ExponentialBackOff RESTORE_RETRY = new ExponentialBackOff(1_000, 2);

  static {
    RESTORE_RETRY.setMaxInterval(15_000);
  }

  private final TransferBook book;
  private final ProgressRestorer restorer;
  private final StateRecords stateRecords;
  private final Finalizer finalizer;
  private final TransferEventPublisher publisher;
  private final TransferTracing tracing;
  private final FinalizeMetrics metrics;
  private final Clock clock;
  private final Function<String, Duration> budgets;
  private final String commandsTopic;
  private final Duration revokeGrace;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  // Assigned command partitions whose state could not be read yet; a background task retries.
  private final Set<Integer> unrestored = ConcurrentHashMap.newKeySet();
  // Transfers whose intake commit had an unknown outcome, by command partition, until their
  // partition's state could be read back.
  private final Map<Integer, List<TransferProgress>> unsure = new ConcurrentHashMap<>();
  private final Object restoreLock = new Object();
  private final StateMetrics stateMetrics;
  private final Function<TransferProgress, ProducerRecord<String, Object>> eventRecords;
  private final Duration reannounceAfter;
  private final ScheduledExecutorService restarts =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("transfer-worker-restarts").daemon().factory());
  private final ScheduledExecutorService restores =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("transfer-worker-restores").daemon().factory());
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
    this.reannounceAfter = reannounceAfter;
    this.book = book;
    this.stateMetrics = stateMetrics;
    this.eventRecords = eventRecords;
    this.restorer = restorer;
    this.stateRecords = stateRecords;
    this.finalizer = finalizer;
    this.publisher = publisher;
    this.tracing = tracing;
    this.metrics = metrics;
    this.clock = clock;
    this.budgets = budgets;
    this.commandsTopic = commandsTopic;
    this.revokeGrace = revokeGrace;
  }

  /** Called whenever the number of transfers in work changes. */
  public void onChange(Runnable listener) {
    this.onChange = listener;
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
    if (!book.owns(partition)) {
      // The restore at assignment failed (e.g. the state topic was unreachable): try again now.
      // If it fails again, the intake transaction rolls back and the commands come again later.
      takeOver(Set.of(partition));
    }
    var key = TransferProgress.key(command.server(), command.trackingId());
    var known = book.get(partition, key);
    TransferProgress read = null;
    if (known == null && book.mayHaveForgotten(key)) {
      read = readState(partition, key, "lookup");
      known = lookUp(partition, key, read);
    }
    if (known instanceof TransferBook.Entry.Decided decided
        && decided.commandId() != null
        && !decided.commandId().equals(command.commandId())
        && !decided.decidedAt().isAfter(clock.instant().minus(reannounceAfter))) {
      // The kept event is on the state topic only; one read serves the lookup and this.
      var found = read != null ? read : readState(partition, key, "lookup");
      var again = found == null || found.event() == null ? null : eventRecords.apply(found);
      if (again != null) {
        stateMetrics.reannounced(command.server());
        return new Admission.Reannounce(decided, again);
      }
    }
    if (known != null) {
      metrics.duplicate(command.server());
      return new Admission.Duplicate(known);
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
      return new Admission.Duplicate(existing);
    }
    return new Admission.Accepted(progress, stateRecords.of(progress, now));
  }

  // A transfer whose decided entry the book may have forgotten (to bound its memory): the state
  // topic knows. Read on the consumer thread; rare, because repeats normally come within seconds.
  private TransferBook.@Nullable Entry lookUp(
      int partition, String key, @Nullable TransferProgress found) {
    if (found == null) {
      return null;
    }
    book.merge(partition, List.of(found)).forEach(p -> launch(p, true));
    return book.get(partition, key);
  }

  private @Nullable TransferProgress readState(int partition, String key, String kind) {
    try {
      var restored = restorer.restore(Set.of(partition)).getOrDefault(partition, List.of());
      stateMetrics.read(kind, "ok");
      return restored.stream().filter(p -> p.key().equals(key)).findFirst().orElse(null);
    } catch (StateUnavailableException e) {
      stateMetrics.read(kind, "failed");
      throw e;
    }
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
    if (!book.owns(partition)) {
      takeOver(Set.of(partition));
    }
    var now = clock.instant();
    var progress =
        TransferProgress.pending(
            command, partition, now, now, tracing.intake(traceparent, command));
    var known = book.get(partition, progress.key());
    if (known == null && book.mayHaveForgotten(progress.key())) {
      known = lookUp(partition, progress.key(), readState(partition, progress.key(), "lookup"));
    }
    var existing = known != null ? known : book.admit(progress);
    if (existing != null) {
      metrics.duplicate(command.server());
      return null;
    }
    var event =
        TransferEvent.failedFinalize(
            command.server(),
            command.sender(),
            command.trackingId(),
            TransferState.REJECTED,
            now,
            error);
    return new Refused(progress, event, publisher.records(event, progress, progress.traceparent()));
  }

  /** The intake transaction of these refusals is committed: they are decided. */
  public void refused(List<Refused> refusals) {
    for (var refusal : refusals) {
      book.decided(refusal.progress(), refusal.event().state(), clock.instant());
      metrics.decided(refusal.progress().server(), refusal.event().state(), Duration.ZERO);
    }
    onChange.run();
  }

  /** The intake transaction of these transfers is committed: start working on them. */
  public void start(List<TransferProgress> accepted) {
    accepted.forEach(progress -> launch(progress, false));
    onChange.run();
  }

  /** The intake transaction was rolled back: the commands come again. */
  public void forget(List<TransferProgress> accepted) {
    accepted.forEach(book::forget);
    onChange.run();
  }

  /**
   * The outcome of the intake transaction of these transfers is unknown: forget them, and start
   * those whose {@code PENDING} record the state topic shows once it can be read (in the
   * background, retried until it can, so the consumer is not held up while Kafka is away). Only
   * these transfers are looked at: the book's other entries are newer than any read.
   */
  public void recheck(List<TransferProgress> accepted) {
    accepted.forEach(book::forget);
    accepted.forEach(
        p ->
            unsure
                .computeIfAbsent(
                    p.commandPartition(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(p));
    var partitions = new TreeSet<Integer>();
    accepted.forEach(p -> partitions.add(p.commandPartition()));
    log.warn(
        "The intake of {} commands of partitions {} may or may not have been committed; reading"
            + " their state back",
        accepted.size(),
        partitions);
    var retry = RESTORE_RETRY.start();
    restores.submit(() -> recheckUntilRead(partitions, retry));
    onChange.run();
  }

  private void recheckUntilRead(Set<Integer> partitions, BackOffExecution retry) {
    var left = new TreeSet<Integer>();
    for (int partition : partitions) {
      var transfers = unsure.get(partition);
      if (transfers == null || transfers.isEmpty()) {
        continue;
      }
      if (!book.owns(partition)) {
        // Revoked meanwhile: the partition's next owner reads the state anyway.
        unsure.remove(partition);
        continue;
      }
      try {
        Map<String, TransferProgress> restored = new java.util.HashMap<>();
        restorer
            .restore(Set.of(partition))
            .getOrDefault(partition, List.of())
            .forEach(p -> restored.put(p.key(), p));
        stateMetrics.read("recheck", "ok");
        var committed = new ArrayList<TransferProgress>();
        for (var transfer : transfers) {
          var found = restored.get(transfer.key());
          // Taken in (PENDING), or refused at intake (DECIDED at once), by this very command.
          if (found != null
              && java.util.Objects.equals(found.commandId(), transfer.commandId())
              && (!found.isPending() || found.acceptedAt().equals(transfer.acceptedAt()))) {
            committed.add(found);
          }
        }
        unsure.remove(partition);
        int started = 0;
        for (var progress : book.merge(partition, committed)) {
          launch(progress, false);
          started++;
        }
        log.info(
            "Read partition {} back after an uncertain intake: {} of {} transfers were taken in"
                + " and are started; the others come again with their commands",
            partition,
            started,
            transfers.size());
      } catch (RuntimeException e) {
        stateMetrics.read("recheck", "failed");
        log.warn(
            "Could not read the state of command partition {} back after an uncertain intake ({});"
                + " trying again with backoff (1 s doubling to 15 s)",
            partition,
            e.getMessage());
        left.add(partition);
      }
    }
    onChange.run();
    if (!left.isEmpty() && running) {
      restores.schedule(
          () -> recheckUntilRead(left, retry), retry.nextBackOff(), TimeUnit.MILLISECONDS);
    }
  }

  private void launch(TransferProgress progress, boolean resumed) {
    var job = new Job(progress, new StopSwitch());
    var previous = jobs.putIfAbsent(progress.key(), job);
    if (previous != null) {
      log.warn("{} is already being worked on; not starting it twice", progress.trackingId());
      return;
    }
    Thread.ofVirtual().name("finalize-" + progress.trackingId()).start(() -> run(job, resumed));
  }

  // The work runs in a span continuing the transfer's trace (kept with its progress): requests to
  // Cryptshare are its children, and the decision carries its traceparent.
  private void run(Job job, boolean resumed) {
    var progress = job.progress();
    var stopSwitch = job.stopSwitch();
    stopSwitch.bind();
    boolean restart = false;
    var span = tracing.startWork(progress, resumed);
    try (var inScope = tracing.inScope(span)) {
      var event = finalizer.decide(progress, resumed, stopSwitch);
      if (event != null) {
        span.tag("cryptshare.outcome", event.state().name());
        publish(event, progress, tracing.traceparentOf(span, progress.traceparent()), stopSwitch);
      } else {
        span.event("stopped before deciding");
      }
    } catch (RuntimeException e) {
      span.error(e);
      if (stopSwitch.isStopping()) {
        log.error("Work on {} failed unexpectedly while stopping", progress.trackingId(), e);
      } else if (clock.instant().isBefore(progress.deadline())) {
        log.error(
            "Work on {} failed unexpectedly; resuming it in {}",
            progress.trackingId(),
            RESTART_AFTER_BUG,
            e);
        restart = true;
      } else {
        // A bug must not keep a transfer from its one terminal event: the deadline ends it too.
        log.error(
            "Work on {} failed unexpectedly and its deadline has passed; publishing ABANDONED",
            progress.trackingId(),
            e);
        publish(
            workerError(progress, e),
            progress,
            tracing.traceparentOf(span, progress.traceparent()),
            stopSwitch);
      }
    } finally {
      span.end();
      jobs.remove(progress.key(), job);
      stopSwitch.ended();
      onChange.run();
    }
    if (restart) {
      restarts.schedule(
          () -> {
            if (book.get(progress.commandPartition(), progress.key())
                instanceof TransferBook.Entry.Pending) {
              launch(progress, true);
            }
          },
          RESTART_AFTER_BUG.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private TransferEvent workerError(TransferProgress progress, RuntimeException e) {
    // The exception's type only: its message may quote anything, a token included.
    var message =
        "The worker failed unexpectedly (%s) and the transfer's deadline has passed; a finalize"
                .formatted(e.getClass().getSimpleName())
            + " may have taken effect";
    return TransferEvent.failedFinalize(
        progress.server(),
        progress.sender(),
        progress.trackingId(),
        TransferState.ABANDONED,
        clock.instant(),
        new TransferError(ErrorCodes.WORKER_ERROR, message, null, null));
  }

  private void publish(
      TransferEvent event,
      TransferProgress progress,
      @Nullable String traceparent,
      StopSwitch stopSwitch) {
    stopSwitch.enterCriticalAnyway();
    try {
      publisher.publish(event, progress, traceparent).get();
      book.decided(progress, event.state(), clock.instant());
      metrics.decided(
          progress.server(),
          event.state(),
          Duration.between(progress.acceptedAt(), clock.instant()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("Interrupted while publishing the decision of {}", progress.trackingId());
    } catch (ExecutionException e) {
      log.error(
          "Could not publish the {} decision of {}; it stays pending and is resumed by the"
              + " partition's next owner",
          event.state(),
          progress.trackingId(),
          e.getCause());
    } finally {
      stopSwitch.exitCritical();
    }
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    var assigned = commandPartitions(partitions);
    if (assigned.isEmpty()) {
      return;
    }
    try {
      takeOver(assigned);
    } catch (RuntimeException e) {
      log.error(
          "Could not read the state of command partitions {}; trying again in the background (and"
              + " with their next command)",
          assigned,
          e);
      unrestored.addAll(assigned);
      var retry = RESTORE_RETRY.start();
      restores.schedule(() -> restoreUntilRead(retry), retry.nextBackOff(), TimeUnit.MILLISECONDS);
    }
  }

  // Resumes the pending transfers of assigned partitions whose restore failed, without waiting
  // for their next command: otherwise they would wait for it, or for the next rebalance.
  private void restoreUntilRead(BackOffExecution retry) {
    var wanted = new TreeSet<>(unrestored);
    wanted.removeIf(book::owns);
    unrestored.removeIf(book::owns);
    if (wanted.isEmpty() || !running) {
      return;
    }
    try {
      takeOver(wanted);
      unrestored.removeAll(wanted);
    } catch (RuntimeException e) {
      long next = retry.nextBackOff();
      log.warn(
          "Still cannot read the state of command partitions {} ({}); trying again in {} ms",
          wanted,
          e.getMessage(),
          next);
      restores.schedule(() -> restoreUntilRead(retry), next, TimeUnit.MILLISECONDS);
    }
  }

  // One restore at a time: the consumer thread (assignment, a command of an unrestored partition)
  // and the background retry may both want a partition; the second finds it owned.
  private void takeOver(Set<Integer> assigned) {
    synchronized (restoreLock) {
      var wanted = new TreeSet<>(assigned);
      wanted.removeIf(book::owns);
      if (wanted.isEmpty()) {
        return;
      }
      Map<Integer, List<TransferProgress>> restored;
      try {
        restored = restorer.restore(wanted);
        stateMetrics.read("restore", "ok");
      } catch (RuntimeException e) {
        stateMetrics.read("restore", "failed");
        throw e;
      }
      publisher.unfence(wanted);
      int resumed = 0;
      for (var entry : restored.entrySet()) {
        book.assign(entry.getKey(), entry.getValue());
        for (var progress : book.pendingOf(entry.getKey())) {
          launch(progress, true);
          resumed++;
        }
      }
      book.prune(clock.instant());
      log.info("Took over command partitions {}; resuming {} pending transfers", wanted, resumed);
    }
    onChange.run();
  }

  @Override
  public void onPartitionsRevokedBeforeCommit(
      Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    giveUp(commandPartitions(partitions), revokeGrace);
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    // Another instance may own them already: stop at once, but still let requests in flight end.
    giveUp(commandPartitions(partitions), revokeGrace);
  }

  /** Stops all work, e.g. when the worker shuts down. */
  public void stopAll() {
    var all =
        jobs.values().stream()
            .map(j -> j.progress().commandPartition())
            .collect(Collectors.toSet());
    giveUp(all, revokeGrace);
  }

  private void giveUp(Set<Integer> partitions, Duration grace) {
    if (partitions.isEmpty()) {
      return;
    }
    var stopping = new ArrayList<Job>();
    for (var job : jobs.values()) {
      if (partitions.contains(job.progress().commandPartition())) {
        job.stopSwitch().stop();
        stopping.add(job);
      }
    }
    var deadline = System.nanoTime() + grace.toNanos();
    for (var job : stopping) {
      try {
        var left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (!job.stopSwitch().awaitEnd(left)) {
          log.warn(
              "Work on {} did not stop within {}; its next owner may resume it while a request"
                  + " is still in flight",
              job.progress().trackingId(),
              grace);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // Decisions of these partitions still queued (e.g. while Kafka is away) must not be published
    // once their next owner may decide the same transfers: their jobs stay pending for it.
    publisher.fence(partitions);
    partitions.forEach(book::revoke);
    unrestored.removeAll(partitions);
    partitions.forEach(unsure::remove);
    log.info(
        "Gave up command partitions {}; stopped {} transfers in work",
        new TreeSet<>(partitions),
        stopping.size());
    onChange.run();
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
    restarts.shutdownNow();
    restores.shutdownNow();
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

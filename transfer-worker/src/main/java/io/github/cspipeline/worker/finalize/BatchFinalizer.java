package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works on the commands of one poll at the same time, one virtual thread per transfer, so that a
 * transfer waiting for its retries does not hold up the others. Commands for the same transfer run
 * one after the other, in order. Returns once every command is done or given up.
 */
public final class BatchFinalizer {

  /** One command to work on, with the trace context it arrived with. */
  public record Work(FinalizeCommand command, byte @Nullable [] traceparent) {}

  /** What became of one command. */
  public sealed interface Result {
    /** Its event is published; the record may be committed. */
    record Done() implements Result {}

    /** Not finished (shutdown, Kafka did not take the event): redeliver it. */
    record Postponed() implements Result {}

    /** A bug or an unexpected failure: hand it to the error handler. */
    record Failed(RuntimeException cause) implements Result {}
  }

  private static final Logger log = LoggerFactory.getLogger(BatchFinalizer.class);
  private static final Result DONE = new Result.Done();
  private static final Result POSTPONED = new Result.Postponed();

  private final Finalizer finalizer;
  private final TransferEventPublisher publisher;
  private final DecidedEvents decided;
  private final WorkerShutdown shutdown;
  private final FinalizeMetrics metrics;
  private final Clock clock;
  private final ThreadFactory threads = Thread.ofVirtual().name("finalize-", 0).factory();

  public BatchFinalizer(
      Finalizer finalizer,
      TransferEventPublisher publisher,
      DecidedEvents decided,
      WorkerShutdown shutdown,
      FinalizeMetrics metrics,
      Clock clock) {
    this.finalizer = finalizer;
    this.publisher = publisher;
    this.decided = decided;
    this.shutdown = shutdown;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The result of each command, in the order given. */
  public List<Result> finalizeAll(List<Work> batch) {
    var results = new AtomicReferenceArray<Result>(batch.size());
    var byTransfer = new LinkedHashMap<String, List<Integer>>();
    for (int i = 0; i < batch.size(); i++) {
      var command = batch.get(i).command();
      byTransfer
          .computeIfAbsent(command.server() + "\n" + command.trackingId(), k -> new ArrayList<>())
          .add(i);
    }
    try (var executor = Executors.newThreadPerTaskExecutor(threads)) {
      for (var indexes : byTransfer.values()) {
        executor.execute(
            () -> {
              boolean blocked = false;
              for (int i : indexes) {
                // A later command for the same transfer must not overtake an unfinished one.
                var result = blocked ? POSTPONED : finalizeOne(batch.get(i));
                results.set(i, result);
                blocked = !(result instanceof Result.Done);
              }
            });
      }
    }
    var list = new ArrayList<Result>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      var result = results.get(i);
      list.add(
          result != null
              ? result
              : new Result.Failed(new IllegalStateException("finalize task ended abnormally")));
    }
    return list;
  }

  private Result finalizeOne(Work work) {
    var command = work.command();
    if (shutdown.isStopping()) {
      return POSTPONED;
    }
    metrics.started();
    try {
      var event = decided.get(command.server(), command.trackingId());
      if (event == null) {
        var start = clock.instant();
        event = finalizer.decide(command);
        decided.put(event);
        metrics.decided(command.server(), event.state(), Duration.between(start, clock.instant()));
      } else {
        log.info(
            "The finalize of {} was already decided ({}); publishing that event again",
            command.trackingId(),
            event.state());
      }
      publisher.publish(event, work.traceparent());
      return DONE;
    } catch (InterruptedException e) {
      log.info(
          "Stopped working on {} because the worker is stopping; it will be redelivered",
          command.trackingId());
      return POSTPONED;
    } catch (EventPublishException e) {
      log.warn(
          "Could not publish the event of {}; the command will be redelivered",
          command.trackingId(),
          e);
      return POSTPONED;
    } catch (RuntimeException e) {
      log.error("Finalize of {} failed unexpectedly", command.trackingId(), e);
      return new Result.Failed(e);
    } finally {
      metrics.ended();
    }
  }
}

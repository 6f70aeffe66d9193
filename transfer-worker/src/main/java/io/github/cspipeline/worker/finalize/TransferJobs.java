package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.resilience.StopSwitch;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfers in work on this instance, each on a virtual thread of its own from its launch to
 * its published decision: at most one job per transfer, a decision published with its {@code
 * DECIDED} progress, and a job that fails unexpectedly relaunched until its deadline, then ended
 * {@code ABANDONED}, so that a bug cannot keep a transfer from its one terminal event.
 */
final class TransferJobs {

  private record Job(TransferProgress progress, StopSwitch stopSwitch) {}

  private static final Logger log = LoggerFactory.getLogger(TransferJobs.class);
  private static final Duration RESTART_AFTER_BUG = Duration.ofSeconds(5);

  private final TransferBook book;
  private final Finalizer finalizer;
  private final TransferEventPublisher publisher;
  private final DecisionEvents events;
  private final TransferTracing tracing;
  private final FinalizeMetrics metrics;
  private final Clock clock;
  private final Runnable changed;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final ScheduledExecutorService restarts =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("transfer-worker-restarts").daemon().factory());

  /**
   * @param changed called whenever a job ends
   */
  TransferJobs(
      TransferBook book,
      Finalizer finalizer,
      TransferEventPublisher publisher,
      DecisionEvents events,
      TransferTracing tracing,
      FinalizeMetrics metrics,
      Clock clock,
      Runnable changed) {
    this.book = book;
    this.finalizer = finalizer;
    this.publisher = publisher;
    this.events = events;
    this.tracing = tracing;
    this.metrics = metrics;
    this.clock = clock;
    this.changed = changed;
  }

  /**
   * Starts working on a transfer, unless it is in work already.
   *
   * @param resumed taken in earlier (by this or another instance): a finalize may have been sent
   */
  void launch(TransferProgress progress, boolean resumed) {
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
            events.workerError(Objects.requireNonNull(progress.command(), "command"), e),
            progress,
            tracing.traceparentOf(span, progress.traceparent()),
            stopSwitch);
      }
    } finally {
      span.end();
      jobs.remove(progress.key(), job);
      stopSwitch.ended();
      changed.run();
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

  // Never interrupted: a decision being published is a critical section a revocation waits for.
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

  /** The command partitions of the transfers in work. */
  Set<Integer> partitions() {
    return jobs.values().stream()
        .map(j -> j.progress().commandPartition())
        .collect(Collectors.toSet());
  }

  /**
   * Stops the work of these partitions and waits, up to {@code grace} in all, for requests in
   * flight and decisions being published: the partitions' next owner must not work on a transfer
   * while this instance still does.
   *
   * @return how many transfers were stopped
   */
  int stop(Set<Integer> partitions, Duration grace) {
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
    return stopping.size();
  }

  /** No more relaunches after a bug; the work itself is stopped by {@link #stop}. */
  void shutdown() {
    restarts.shutdownNow();
  }
}

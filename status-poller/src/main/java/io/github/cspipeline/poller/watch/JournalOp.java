package io.github.cspipeline.poller.watch;

import io.github.cspipeline.kafka.GroupCommit;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PublishException;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.jspecify.annotations.Nullable;

/** What callers queue for the journal's writer thread; the future tells them the outcome. */
sealed interface JournalOp extends GroupCommit.Pending {

  /** Watches started and ended by the events of a partition, up to an offset. */
  record Changes(
      PartitionChanges changes, @Nullable ConsumerGroupMetadata group, CompletableFuture<Void> done)
      implements JournalOp {}

  /** A terminal event with the tombstone of its watch; completes false when the watch is gone. */
  record Finish(
      Watch watch,
      TransferEvent event,
      @Nullable String traceparent,
      CompletableFuture<Boolean> done)
      implements JournalOp {}

  /** Hands a partition over once what was queued before it is written. */
  record Close(int partition, CompletableFuture<Void> done) implements JournalOp {}

  /** Tells the caller its op was not written; a hand-over is done all the same. */
  static void fail(JournalOp op, RuntimeException failure) {
    switch (op) {
      case Changes c -> c.done().completeExceptionally(failure);
      case Finish f -> f.done().completeExceptionally(failure);
      case Close c -> c.done().complete(null);
    }
  }

  static PublishException stopping() {
    return new PublishException("while stopping", new IllegalStateException());
  }
}

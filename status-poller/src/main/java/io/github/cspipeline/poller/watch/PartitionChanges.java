package io.github.cspipeline.poller.watch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the events of one partition, read in one poll, change in the watch list: watches to start,
 * watches to end, and the offset up to which the events are handled. The journal writes all of it
 * in one transaction and applies it to the index once that committed.
 */
public final class PartitionChanges {

  private static final Logger log = LoggerFactory.getLogger(PartitionChanges.class);

  private final int partition;
  private final Map<TransferKey, Watch> started = new LinkedHashMap<>();
  private final Set<TransferKey> ended = new LinkedHashSet<>();
  private long nextOffset = -1;

  public PartitionChanges(int partition) {
    this.partition = partition;
  }

  public int partition() {
    return partition;
  }

  /** Whether this batch already decides about the transfer. */
  boolean concerns(TransferKey key) {
    return started.containsKey(key) || ended.contains(key);
  }

  boolean starts(TransferKey key) {
    return started.containsKey(key);
  }

  void start(Watch watch) {
    started.put(watch.key(), watch);
  }

  void end(TransferKey key) {
    started.remove(key);
    ended.add(key);
  }

  /** The events up to (excluding) this offset are handled; committed with the changes. */
  public void handledUpTo(long nextOffset) {
    this.nextOffset = nextOffset;
  }

  /** The offset to commit, or -1 when no event was handled. */
  public long nextOffset() {
    return nextOffset;
  }

  public Collection<Watch> started() {
    return started.values();
  }

  public Collection<TransferKey> ended() {
    return ended;
  }

  public boolean isEmpty() {
    return started.isEmpty() && ended.isEmpty() && nextOffset < 0;
  }

  /** Applies committed changes to the index. */
  public List<Watch> applyTo(WatchIndex index) {
    var indexed = new ArrayList<Watch>(started.size());
    for (var watch : started.values()) {
      index
          .add(watch, partition)
          .ifPresent(
              w -> {
                indexed.add(w);
                // DEBUG: a line per transfer costs CPU at volume; the PROCESSING event on the
                // events topic is the audit trail of a watch's start.
                log.debug(
                    "Watching transfer {} on {}; first status poll at {}, giving up at {}",
                    w.trackingId(),
                    w.server(),
                    w.nextPollAt(),
                    w.deadline());
              });
    }
    for (var key : ended) {
      if (index.end(key)) {
        log.info(
            "Transfer {} on {} reached a terminal state according to another publisher; no longer"
                + " watching it",
            key.trackingId(),
            key.server());
      }
    }
    return indexed;
  }
}

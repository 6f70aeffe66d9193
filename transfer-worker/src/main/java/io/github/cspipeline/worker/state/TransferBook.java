package io.github.cspipeline.worker.state;

import io.github.cspipeline.model.event.TransferState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What this instance knows of the transfers of the command partitions it owns: which are being
 * worked on and which are decided. Filled from the state topic on assignment, dropped on
 * revocation; the state topic, not this map, is the truth.
 */
public final class TransferBook {

  /** One transfer's entry. */
  public sealed interface Entry {
    /** Taken in, not decided yet. */
    record Pending(TransferProgress progress) implements Entry {}

    /** Decided; a repeated command gets no second finalize. */
    record Decided(TransferState outcome) implements Entry {}
  }

  private final Map<Integer, Map<String, Entry>> partitions = new HashMap<>();
  private int pending;

  /** Takes over a partition with what the state topic says about it. */
  public synchronized void assign(int partition, List<TransferProgress> restored) {
    var entries = new HashMap<String, Entry>();
    for (var progress : restored) {
      entries.put(
          progress.key(),
          progress.isPending()
              ? new Entry.Pending(progress)
              : new Entry.Decided(java.util.Objects.requireNonNull(progress.outcome())));
    }
    var previous = partitions.put(partition, entries);
    pending += count(entries) - (previous == null ? 0 : count(previous));
  }

  /** Gives up a partition. */
  public synchronized void revoke(int partition) {
    var removed = partitions.remove(partition);
    if (removed != null) {
      pending -= count(removed);
    }
  }

  public synchronized boolean owns(int partition) {
    return partitions.containsKey(partition);
  }

  public synchronized @Nullable Entry get(int partition, String key) {
    var entries = partitions.get(partition);
    return entries == null ? null : entries.get(key);
  }

  /**
   * Records a command just taken in, unless the transfer is known already.
   *
   * @return the existing entry, or null when {@code progress} was added
   * @throws IllegalStateException the partition is not owned
   */
  public synchronized @Nullable Entry admit(TransferProgress progress) {
    var entries = entries(progress.commandPartition());
    var existing = entries.get(progress.key());
    if (existing != null) {
      return existing;
    }
    entries.put(progress.key(), new Entry.Pending(progress));
    pending++;
    return null;
  }

  /** Undoes {@link #admit} after the intake transaction was rolled back. */
  public synchronized void forget(TransferProgress progress) {
    var entries = partitions.get(progress.commandPartition());
    if (entries != null
        && entries.get(progress.key()) instanceof Entry.Pending p
        && p.progress().equals(progress)) {
      entries.remove(progress.key());
      pending--;
    }
  }

  /** The transfer's decision is committed. */
  public synchronized void decided(TransferProgress progress, TransferState outcome) {
    var entries = partitions.get(progress.commandPartition());
    if (entries == null) {
      return;
    }
    if (entries.put(progress.key(), new Entry.Decided(outcome)) instanceof Entry.Pending) {
      pending--;
    }
  }

  /** The transfers of a partition still being worked on. */
  public synchronized List<TransferProgress> pendingOf(int partition) {
    var result = new ArrayList<TransferProgress>();
    var entries = partitions.get(partition);
    if (entries != null) {
      entries
          .values()
          .forEach(
              e -> {
                if (e instanceof Entry.Pending p) {
                  result.add(p.progress());
                }
              });
    }
    return result;
  }

  /** Transfers being worked on, over all owned partitions. */
  public synchronized int pending() {
    return pending;
  }

  private Map<String, Entry> entries(int partition) {
    var entries = partitions.get(partition);
    if (entries == null) {
      throw new IllegalStateException("command partition " + partition + " is not owned");
    }
    return entries;
  }

  private static int count(Map<String, Entry> entries) {
    return (int) entries.values().stream().filter(e -> e instanceof Entry.Pending).count();
  }
}

package io.github.cspipeline.worker.state;

import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What this instance knows of the transfers of the command partitions it owns: which are being
 * worked on and which are decided. Filled from the state topic on assignment, dropped on
 * revocation; the state topic, not this map, is the truth.
 *
 * <p>Memory stays bounded: decided entries are forgotten after {@code decidedMemory} or beyond
 * {@code maxDecided}, oldest first. Their keys go into a Bloom filter, so that a command for a
 * forgotten transfer is recognised as possibly known ({@link #mayHaveForgotten}) and looked up on
 * the state topic instead of being taken for a new one. Repeated commands normally come within
 * seconds (a gateway retrying a send); the gateway answers later repeats from its own view.
 */
public final class TransferBook {

  /** One transfer's entry. */
  public sealed interface Entry {
    /** Taken in, not decided yet. */
    record Pending(TransferProgress progress) implements Entry {}

    /**
     * Decided; a repeated command gets no second finalize.
     *
     * @param commandId the command that was decided, if known (records of older versions lack it)
     */
    record Decided(TransferState outcome, @Nullable UUID commandId, Instant decidedAt)
        implements Entry {}
  }

  private record DecidedRef(int partition, String key, Entry.Decided entry) {}

  private final Map<Integer, Map<String, Entry>> partitions = new HashMap<>();
  private final ArrayDeque<DecidedRef> decidedInOrder = new ArrayDeque<>();
  private final KeyFilter forgotten = new KeyFilter();
  private final Duration decidedMemory;
  private final int maxDecided;
  private int pending;
  private int decided;

  /** A book that keeps decided entries for an hour, at most 100,000 of them. */
  public TransferBook() {
    this(Duration.ofHours(1), 100_000);
  }

  /**
   * @param decidedMemory how long a decided entry is kept in memory
   * @param maxDecided the most decided entries kept in memory
   */
  public TransferBook(Duration decidedMemory, int maxDecided) {
    if (decidedMemory.isNegative() || maxDecided < 0) {
      throw new IllegalArgumentException("decidedMemory and maxDecided must not be negative");
    }
    this.decidedMemory = decidedMemory;
    this.maxDecided = maxDecided;
  }

  /** Takes over a partition with what the state topic says about it. */
  public synchronized void assign(int partition, List<TransferProgress> restored) {
    revoke(partition);
    var entries = new HashMap<String, Entry>();
    partitions.put(partition, entries);
    restored.stream()
        .sorted(
            (a, b) ->
                Objects.requireNonNullElse(a.decidedAt(), a.acceptedAt())
                    .compareTo(Objects.requireNonNullElse(b.decidedAt(), b.acceptedAt())))
        .forEach(progress -> put(partition, entries, progress));
  }

  /**
   * Adds what the state topic says about some transfers of an owned partition, without touching the
   * others: an entry the book has already (admitted or decided since the read) wins, because it is
   * newer than the read.
   *
   * @return the restored transfers that are pending and were not in the book
   */
  public synchronized List<TransferProgress> merge(
      int partition, Collection<TransferProgress> restored) {
    var entries = partitions.get(partition);
    var added = new ArrayList<TransferProgress>();
    if (entries == null) {
      return added;
    }
    for (var progress : restored) {
      if (!entries.containsKey(progress.key())) {
        put(partition, entries, progress);
        if (progress.isPending()) {
          added.add(progress);
        }
      }
    }
    return added;
  }

  private void put(int partition, Map<String, Entry> entries, TransferProgress progress) {
    var previous = entries.remove(progress.key());
    if (previous instanceof Entry.Pending) {
      pending--;
    } else if (previous instanceof Entry.Decided) {
      decided--;
    }
    if (progress.isPending()) {
      entries.put(progress.key(), new Entry.Pending(progress));
      pending++;
    } else {
      var entry =
          new Entry.Decided(
              Objects.requireNonNull(progress.outcome()),
              progress.commandId(),
              Objects.requireNonNullElse(progress.decidedAt(), progress.acceptedAt()));
      entries.put(progress.key(), entry);
      remember(partition, progress.key(), entry);
    }
  }

  /** Gives up a partition. */
  public synchronized void revoke(int partition) {
    var removed = partitions.remove(partition);
    if (removed != null) {
      for (var entry : removed.values()) {
        if (entry instanceof Entry.Pending) {
          pending--;
        } else {
          decided--;
        }
      }
      // Their references in decidedInOrder no longer match an entry and are skipped when pruned.
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
   * Whether the transfer may be one whose decided entry was forgotten to bound memory (false
   * positives possible, no false negatives): such a command must be checked against the state topic
   * before it is taken for a new transfer.
   */
  public synchronized boolean mayHaveForgotten(String key) {
    return forgotten.mightContain(key);
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
  public synchronized void decided(TransferProgress progress, TransferState outcome, Instant at) {
    var entries = partitions.get(progress.commandPartition());
    if (entries == null) {
      return;
    }
    var entry = new Entry.Decided(outcome, progress.commandId(), at);
    var previous = entries.put(progress.key(), entry);
    if (previous instanceof Entry.Pending) {
      pending--;
    } else if (previous instanceof Entry.Decided) {
      decided--;
    }
    remember(progress.commandPartition(), progress.key(), entry);
    prune(at);
  }

  /**
   * Forgets decided entries older than {@code decidedMemory} before {@code now}, and the oldest
   * beyond {@code maxDecided}.
   */
  public synchronized void prune(Instant now) {
    var oldest = now.minus(decidedMemory);
    while (!decidedInOrder.isEmpty()) {
      var head = decidedInOrder.peekFirst();
      var entries = partitions.get(head.partition());
      boolean live = entries != null && entries.get(head.key()) == head.entry();
      if (!live) {
        decidedInOrder.pollFirst();
        continue;
      }
      if (decided <= maxDecided && !head.entry().decidedAt().isBefore(oldest)) {
        return;
      }
      decidedInOrder.pollFirst();
      entries.remove(head.key());
      decided--;
      forgotten.add(head.key());
    }
  }

  private void remember(int partition, String key, Entry.Decided entry) {
    decided++;
    decidedInOrder.addLast(new DecidedRef(partition, key, entry));
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

  /** Decided transfers kept in memory, over all owned partitions. */
  public synchronized int decided() {
    return decided;
  }

  private Map<String, Entry> entries(int partition) {
    var entries = partitions.get(partition);
    if (entries == null) {
      throw new IllegalStateException("command partition " + partition + " is not owned");
    }
    return entries;
  }

  /**
   * A Bloom filter of 2^24 bits (2 MiB) with four probes: about 0.2 % false positives after a
   * million forgotten keys. A false positive costs one read of a state partition, never a wrong
   * decision.
   */
  static final class KeyFilter {
    private static final int BITS_LOG2 = 24;
    private static final int PROBES = 4;
    private final long[] words = new long[(1 << BITS_LOG2) / 64];

    void add(String key) {
      long hash = hash(key);
      for (int i = 0; i < PROBES; i++) {
        int bit = bit(hash, i);
        words[bit >>> 6] |= 1L << bit;
      }
    }

    boolean mightContain(String key) {
      long hash = hash(key);
      for (int i = 0; i < PROBES; i++) {
        int bit = bit(hash, i);
        if ((words[bit >>> 6] & (1L << bit)) == 0) {
          return false;
        }
      }
      return true;
    }

    // Kirsch-Mitzenmacher: probe i at h1 + i * h2.
    private static int bit(long hash, int i) {
      int h1 = (int) hash;
      int h2 = (int) (hash >>> 32) | 1;
      return (h1 + i * h2) & ((1 << BITS_LOG2) - 1);
    }

    // 64-bit FNV-1a over the UTF-16 chars, then a murmur3 finalizer to spread the bits.
    private static long hash(String key) {
      long h = 0xcbf29ce484222325L;
      for (int i = 0; i < key.length(); i++) {
        h ^= key.charAt(i);
        h *= 0x100000001b3L;
      }
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      return h;
    }
  }
}

package io.github.cspipeline.poller.watch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The step-1 watch list: in memory, so a crash or restart loses it (see ADR-NOTES). One lock guards
 * the map and its time index; every operation is short.
 */
public final class InMemoryWatchList implements WatchList {

  /**
   * How many ended transfers are remembered. A redelivered {@code PROCESSING} event comes within
   * minutes of the original, so the most recent ten thousand suffice.
   */
  public static final int DEFAULT_ENDED_CAPACITY = 10_000;

  private record Due(Instant at, TransferKey key) {}

  private static final Comparator<Due> EARLIEST_FIRST =
      Comparator.comparing(Due::at).thenComparing(Due::key);

  private final Map<TransferKey, Watch> watches = new HashMap<>();
  private final TreeSet<Due> schedule = new TreeSet<>(EARLIEST_FIRST);
  private final Map<TransferKey, Boolean> ended;

  public InMemoryWatchList() {
    this(DEFAULT_ENDED_CAPACITY);
  }

  public InMemoryWatchList(int endedCapacity) {
    this.ended =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<TransferKey, Boolean> eldest) {
            return size() > endedCapacity;
          }
        };
  }

  @Override
  public synchronized boolean add(Watch watch) {
    if (watches.containsKey(watch.key()) || ended.containsKey(watch.key())) {
      return false;
    }
    watches.put(watch.key(), watch);
    schedule.add(new Due(watch.nextPollAt(), watch.key()));
    return true;
  }

  @Override
  public synchronized Optional<Watch> get(TransferKey key) {
    return Optional.ofNullable(watches.get(key));
  }

  @Override
  public synchronized boolean update(Watch watch) {
    var current = watches.get(watch.key());
    if (current == null) {
      return false;
    }
    schedule.remove(new Due(current.nextPollAt(), current.key()));
    watches.put(watch.key(), watch);
    schedule.add(new Due(watch.nextPollAt(), watch.key()));
    return true;
  }

  @Override
  public synchronized boolean end(TransferKey key) {
    ended.put(key, Boolean.TRUE);
    var current = watches.remove(key);
    if (current == null) {
      return false;
    }
    schedule.remove(new Due(current.nextPollAt(), key));
    return true;
  }

  @Override
  public synchronized List<Watch> due(Instant now, int limit) {
    var result = new ArrayList<Watch>();
    for (var due : schedule) {
      if (due.at().isAfter(now) || result.size() >= limit) {
        break;
      }
      result.add(watches.get(due.key()));
    }
    return result;
  }

  @Override
  public synchronized int size() {
    return watches.size();
  }
}

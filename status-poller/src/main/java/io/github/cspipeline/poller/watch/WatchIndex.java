package io.github.cspipeline.poller.watch;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The transfers this instance watches, in memory: the working copy of the watch topic partitions it
 * owns. Each watch sits in the schedule of its Cryptshare server, ordered by next poll, unless a
 * poll has claimed it; a claimed watch goes back into the schedule when the poll releases it.
 *
 * <p>Sized for 100,000 watches: an entry holds primitives and shared strings (server, sender and
 * Cryptshare states are interned), the schedules are red-black trees with O(log n) claim and
 * release. One lock guards everything; no operation but {@link #drop} touches more than a few
 * entries.
 *
 * <p>What the scheduler remembers per sender (when its list was last swept) and per watch (that it
 * gets a status request of its own next) lives here, with the sender's count and the watch's entry:
 * it goes when the sender's last watch, or the watch, leaves, however it leaves (ended, dropped
 * with its partition), so it cannot outgrow the watches.
 *
 * <p>Times are kept as epoch milliseconds, saturated at the ends of {@code long}: a watch with
 * times far out of the ordinary (a corrupt event or record) is kept, never an exception.
 */
public final class WatchIndex {

  /**
   * How many ended transfers are remembered, so that a {@code PROCESSING} event redelivered after
   * the terminal event does not start the watch again. Redeliveries come within minutes.
   */
  public static final int DEFAULT_ENDED_CAPACITY = 10_000;

  /** Cryptshare states are few; more distinct ones than this are not interned. */
  private static final int MAX_INTERNED_STATES = 64;

  private static final class Entry {
    final long id;
    final String server;
    // The key in byKey, handed out in every snapshot: lookups with it find their entry by identity,
    // and no key is built per snapshot.
    final TransferKey key;
    final String sender;
    final String statusUrl;
    final long since;
    final long deadline;
    final int partition;
    final @Nullable String traceparent;
    long nextPollAt;
    int polls;
    int notFoundInARow;
    @Nullable String lastState;
    boolean claimed;
    boolean stuck;
    boolean statusRequestNext;

    Entry(long id, Watch watch, String server, String sender, int partition) {
      this.id = id;
      this.server = server;
      this.key = new TransferKey(server, watch.trackingId());
      this.sender = sender;
      this.statusUrl = watch.statusUrl().toString();
      this.since = millis(watch.since());
      this.deadline = millis(watch.deadline());
      this.partition = partition;
      this.traceparent = watch.traceparent();
      this.nextPollAt = millis(watch.nextPollAt());
      this.polls = watch.polls();
      this.notFoundInARow = watch.notFoundInARow();
    }

    Watch snapshot() {
      return new Watch(
          id,
          key,
          sender,
          URI.create(statusUrl),
          Instant.ofEpochMilli(since),
          Instant.ofEpochMilli(deadline),
          Instant.ofEpochMilli(nextPollAt),
          polls,
          notFoundInARow,
          lastState,
          traceparent);
    }
  }

  /** A shared sender string, how many watches use it, and when its list was last swept. */
  private static final class Counted {
    final String value;
    int count;
    long lastSweepStart = Long.MIN_VALUE;

    Counted(String value) {
      this.value = value;
    }
  }

  private static final Comparator<Entry> BY_NEXT_POLL =
      Comparator.comparingLong((Entry e) -> e.nextPollAt).thenComparingLong(e -> e.id);

  private final Map<TransferKey, Entry> byKey = new HashMap<>();
  private final Map<String, TreeSet<Entry>> schedules = new HashMap<>();
  // server -> sender -> how many watches; the values hold the interned strings.
  private final Map<String, Map<String, Counted>> senders = new HashMap<>();
  private final Map<String, String> serverNames = new HashMap<>();
  private final Map<String, String> states = new HashMap<>();
  private final Map<TransferKey, Boolean> ended;
  private long nextId = 1;
  private int stuck;
  private int awaitingStatusRequest;

  public WatchIndex() {
    this(DEFAULT_ENDED_CAPACITY);
  }

  public WatchIndex(int endedCapacity) {
    this.ended =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<TransferKey, Boolean> eldest) {
            return size() > endedCapacity;
          }
        };
  }

  /**
   * Starts watching a transfer whose watch record lives in partition {@code partition}.
   *
   * @return the indexed watch, or empty (and no effect) when the transfer is already watched or
   *     ended recently
   */
  public synchronized Optional<Watch> add(Watch watch, int partition) {
    var key = watch.key();
    if (byKey.containsKey(key) || ended.containsKey(key)) {
      return Optional.empty();
    }
    var server = internServer(key.server());
    var sender = senders.get(server).computeIfAbsent(watch.sender(), Counted::new);
    sender.count++;
    var entry = new Entry(nextId++, watch, server, sender.value, partition);
    byKey.put(entry.key, entry);
    schedule(entry);
    return Optional.of(entry.snapshot());
  }

  public synchronized boolean contains(TransferKey key) {
    return byKey.containsKey(key);
  }

  /** Whether the transfer's watch ended recently on this instance. */
  public synchronized boolean hasEnded(TransferKey key) {
    return ended.containsKey(key);
  }

  public synchronized Optional<Watch> get(TransferKey key) {
    var entry = byKey.get(key);
    return entry == null ? Optional.empty() : Optional.of(entry.snapshot());
  }

  /** The unclaimed watch of {@code server} whose poll is due first at {@code now}, if any. */
  public synchronized @Nullable Watch nextDue(String server, Instant now) {
    var schedule = schedules.get(server);
    if (schedule == null || schedule.isEmpty()) {
      return null;
    }
    var first = schedule.first();
    return first.nextPollAt <= millis(now) ? first.snapshot() : null;
  }

  /**
   * Takes the watch out of the schedule for a poll; nobody else can claim it until {@link #release}
   * or {@link #end}.
   *
   * @return the claimed watch, or empty when it is no longer watched, was dropped and loaded again
   *     (another id), or is claimed already
   */
  public synchronized Optional<Watch> claim(Watch watch) {
    var entry = current(watch);
    if (entry == null || entry.claimed) {
      return Optional.empty();
    }
    unschedule(entry);
    entry.claimed = true;
    // Mostly the watch was just taken from nextDue and has not changed since: no second snapshot.
    return Optional.of(unchanged(entry, watch) ? watch : entry.snapshot());
  }

  /** Whether a snapshot of this entry (same id) still shows what the entry holds. */
  private static boolean unchanged(Entry entry, Watch watch) {
    return entry.nextPollAt == millis(watch.nextPollAt())
        && entry.polls == watch.polls()
        && entry.notFoundInARow == watch.notFoundInARow()
        && Objects.equals(entry.lastState, watch.lastCryptshareState());
  }

  /**
   * Claims the watch of a transfer seen in a sender's transfer list, if this instance watches it
   * for that sender (case-insensitive) and no poll holds it.
   */
  public synchronized Optional<Watch> claimListed(TransferKey key, String sender) {
    var entry = byKey.get(key);
    if (entry == null || entry.claimed || !entry.sender.equalsIgnoreCase(sender)) {
      return Optional.empty();
    }
    unschedule(entry);
    entry.claimed = true;
    return Optional.of(entry.snapshot());
  }

  /**
   * Puts a claimed watch back into the schedule with what the poll learnt (next poll time, poll
   * count, 404 streak, last state).
   *
   * @return false, and no effect, when the watch ended or was dropped meanwhile
   */
  public synchronized boolean release(Watch updated) {
    var entry = current(updated);
    if (entry == null || !entry.claimed) {
      return false;
    }
    entry.claimed = false;
    entry.nextPollAt = millis(updated.nextPollAt());
    entry.polls = updated.polls();
    entry.notFoundInARow = updated.notFoundInARow();
    entry.lastState = internState(updated.lastCryptshareState());
    schedule(entry);
    return true;
  }

  /**
   * Marks a claimed watch for a status request of its own at its next poll, rather than a sweep of
   * its sender's list (which just did not settle it).
   */
  public synchronized void awaitStatusRequest(Watch claimed) {
    var entry = current(claimed);
    if (entry != null && !entry.statusRequestNext) {
      entry.statusRequestNext = true;
      awaitingStatusRequest++;
    }
  }

  /**
   * Whether the watch is marked for a status request of its own ({@link #awaitStatusRequest}); the
   * mark is taken: true once.
   */
  public synchronized boolean takeStatusRequest(Watch claimed) {
    var entry = current(claimed);
    if (entry == null || !entry.statusRequestNext) {
      return false;
    }
    entry.statusRequestNext = false;
    awaitingStatusRequest--;
    return true;
  }

  /** Watches marked for a status request of their own. */
  public synchronized int awaitingStatusRequest() {
    return awaitingStatusRequest;
  }

  /**
   * Remembers when a sweep of the sender's list started, for as long as the sender has watches on
   * the server here; for a sender without any, nothing is remembered.
   */
  public synchronized void sweepStarted(String server, String sender, Instant at) {
    var counted = counted(server, sender);
    if (counted != null) {
      counted.lastSweepStart = millis(at);
    }
  }

  /**
   * When the last sweep of the sender's list started, or null when none did since the sender's
   * first watch here (after its last watch left, the sender is forgotten).
   */
  public synchronized @Nullable Instant lastSweepStart(String server, String sender) {
    var counted = counted(server, sender);
    return counted == null || counted.lastSweepStart == Long.MIN_VALUE
        ? null
        : Instant.ofEpochMilli(counted.lastSweepStart);
  }

  /** Senders with watches here, over all servers. */
  public synchronized int senders() {
    int count = 0;
    for (var bySender : senders.values()) {
      count += bySender.size();
    }
    return count;
  }

  /** The partition of the watch record, or -1 when this watch is no longer current here. */
  public synchronized int partitionOf(Watch watch) {
    var entry = current(watch);
    return entry == null ? -1 : entry.partition;
  }

  /**
   * Ends a watch once its end is durable, and remembers that it ended.
   *
   * @return whether the transfer was watched
   */
  public synchronized boolean end(TransferKey key) {
    ended.put(key, Boolean.TRUE);
    var entry = byKey.remove(key);
    if (entry == null) {
      return false;
    }
    forget(entry);
    return true;
  }

  /** Remembers a transfer as ended without it being watched (a tombstone seen while loading). */
  public synchronized void rememberEnded(TransferKey key) {
    if (!byKey.containsKey(key)) {
      ended.put(key, Boolean.TRUE);
    }
  }

  /**
   * Forgets every watch of a partition this instance no longer owns. They are not remembered as
   * ended: the partition's new owner watches them.
   *
   * @return how many watches were dropped
   */
  public synchronized int drop(int partition) {
    var dropped = new ArrayList<Entry>();
    for (var entry : byKey.values()) {
      if (entry.partition == partition) {
        dropped.add(entry);
      }
    }
    for (var entry : dropped) {
      byKey.remove(entry.key);
      forget(entry);
    }
    return dropped.size();
  }

  /**
   * Marks a watch as stuck (past the stuck threshold).
   *
   * @return true the first time, so that the warning is logged once per watch
   */
  public synchronized boolean markStuck(Watch watch) {
    var entry = current(watch);
    if (entry == null || entry.stuck) {
      return false;
    }
    entry.stuck = true;
    stuck++;
    return true;
  }

  /** Watches marked stuck and not ended yet. */
  public synchronized int stuckCount() {
    return stuck;
  }

  public synchronized int size() {
    return byKey.size();
  }

  /** Watches of one partition. */
  public synchronized int size(int partition) {
    int count = 0;
    for (var entry : byKey.values()) {
      if (entry.partition == partition) {
        count++;
      }
    }
    return count;
  }

  /** How many transfers of this sender on this server are watched here. */
  public synchronized int watchedBy(String server, String sender) {
    var counted = counted(server, sender);
    return counted == null ? 0 : counted.count;
  }

  private @Nullable Counted counted(String server, String sender) {
    var bySender = senders.get(server);
    return bySender == null ? null : bySender.get(sender);
  }

  /** How many transfers on this server are watched here. */
  public synchronized int watchedOn(String server) {
    var bySender = senders.get(server);
    if (bySender == null) {
      return 0;
    }
    int count = 0;
    for (var counted : bySender.values()) {
      count += counted.count;
    }
    return count;
  }

  /** The servers with watches, now or before. */
  public synchronized Set<String> servers() {
    return Set.copyOf(schedules.keySet());
  }

  /** The key of every watch (for tests and diagnostics; copies). */
  public synchronized List<TransferKey> keys() {
    return List.copyOf(byKey.keySet());
  }

  private @Nullable Entry current(Watch watch) {
    var entry = byKey.get(watch.key());
    return entry != null && entry.id == watch.id() ? entry : null;
  }

  private void schedule(Entry entry) {
    schedules.get(entry.server).add(entry);
  }

  private void unschedule(Entry entry) {
    schedules.get(entry.server).remove(entry);
  }

  private void forget(Entry entry) {
    if (!entry.claimed) {
      unschedule(entry);
    }
    entry.claimed = false;
    if (entry.stuck) {
      stuck--;
    }
    if (entry.statusRequestNext) {
      awaitingStatusRequest--;
    }
    var bySender = senders.get(entry.server);
    var counted = bySender.get(entry.sender);
    if (--counted.count == 0) {
      bySender.remove(entry.sender);
    }
  }

  private String internServer(String server) {
    var known = serverNames.putIfAbsent(server, server);
    if (known != null) {
      return known;
    }
    senders.put(server, new HashMap<>());
    schedules.put(server, new TreeSet<>(BY_NEXT_POLL));
    return server;
  }

  private @Nullable String internState(@Nullable String state) {
    if (state == null) {
      return null;
    }
    var known = states.get(state);
    if (known != null) {
      return known;
    }
    if (states.size() < MAX_INTERNED_STATES) {
      states.put(state, state);
    }
    return state;
  }

  /** {@link Instant#toEpochMilli()}, saturated instead of overflowing. */
  private static long millis(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds > Long.MAX_VALUE / 1_000 - 1) {
      return Long.MAX_VALUE;
    }
    if (seconds < Long.MIN_VALUE / 1_000 + 1) {
      return Long.MIN_VALUE;
    }
    return instant.toEpochMilli();
  }
}

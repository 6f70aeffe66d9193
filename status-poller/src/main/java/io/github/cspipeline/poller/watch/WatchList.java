package io.github.cspipeline.poller.watch;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The transfers being watched and when each is polled next. Step 1 keeps them in memory ({@link
 * InMemoryWatchList}); a durable list that survives crashes and rebalances replaces it behind this
 * interface.
 */
public interface WatchList {

  /**
   * Starts watching a transfer.
   *
   * @return false, and no effect, when the transfer is already watched or has already ended
   */
  boolean add(Watch watch);

  Optional<Watch> get(TransferKey key);

  /**
   * Replaces the watch of a transfer that is still watched (its next poll time may change).
   *
   * @return false, and no effect, when the transfer ended meanwhile
   */
  boolean update(Watch watch);

  /**
   * Ends the watch of a transfer that reached a terminal state and remembers that it ended, so that
   * a late or redelivered {@code PROCESSING} event does not start it again.
   *
   * @return whether the transfer was watched
   */
  boolean end(TransferKey key);

  /** Up to {@code limit} watches whose next poll is due at {@code now}, the most overdue first. */
  List<Watch> due(Instant now, int limit);

  /** How many transfers are watched. */
  int size();
}

package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.WireFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Restores the watches of an events partition from its watch partition: the last record of each
 * transfer wins, a tombstone ends its watch. An odd record is logged and skipped, never allowed to
 * keep the whole partition (its watches, its events) from being taken over.
 */
final class WatchRestore {

  private static final Logger log = LoggerFactory.getLogger(WatchRestore.class);

  private final String watchesTopic;
  private final WatchIndex index;
  private final WatchKeeper keeper;
  private final WatchJournal.Loader loader;

  WatchRestore(
      String watchesTopic, WatchIndex index, WatchKeeper keeper, WatchJournal.Loader loader) {
    this.watchesTopic = watchesTopic;
    this.index = index;
    this.keeper = keeper;
    this.loader = loader;
  }

  /** Reads watch partition {@code p} to its end into the index; returns the watches read. */
  int load(int partition) {
    var loaded = new LinkedHashMap<TransferKey, WatchRecord>();
    var tombstones = new HashSet<TransferKey>();
    loader.read(
        watchesTopic,
        partition,
        (recordKey, value) -> {
          var key = WatchRecord.parseKey(recordKey);
          if (key == null) {
            log.error("Ignoring a watch record with the malformed key '{}'", recordKey);
            return;
          }
          if (value == null) {
            loaded.remove(key);
            tombstones.add(key);
            return;
          }
          try {
            loaded.put(key, WireFormat.mapper().readValue(value, WatchRecord.class));
            tombstones.remove(key);
          } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            log.error("Ignoring the unreadable watch record of {}: {}", key, e.toString());
          }
        });
    index.drop(partition);
    tombstones.forEach(index::rememberEnded);
    for (var record : loaded.values()) {
      try {
        index.add(keeper.resume(record), partition);
      } catch (RuntimeException e) {
        // One odd record must not keep the whole partition (its watches, its events) closed.
        log.error(
            "Cannot resume the watch of {} from {}: {}; not watching it",
            record.key(),
            watchesTopic,
            e.toString());
      }
    }
    return loaded.size();
  }
}

package io.github.cspipeline.example.consumer.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the most recently handled events, at most {@code capacity} of them: a redelivered
 * event whose id is still here is dropped. In memory and per instance, so it covers redeliveries
 * while this instance runs (a retried poll, offsets reset, copies re-published, a decision the
 * pipeline announces again) for the last {@code capacity} events; not what comes again after a
 * restart or from a partition another instance handled before, nor an id pushed out of the window.
 * Offsets are committed after each record, so those are the few records in flight: the handler's
 * own idempotence covers them.
 */
public final class HandledEventIds {

  private final Map<String, Boolean> ids;

  public HandledEventIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    // Access order: an id seen again stays longer, like any cache.
    this.ids =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  public synchronized boolean contains(String eventId) {
    return ids.get(eventId) != null;
  }

  /** Called only once the handler succeeded, so that a failed event is handled again. */
  public synchronized void add(String eventId) {
    ids.put(eventId, Boolean.TRUE);
  }

  public synchronized int size() {
    return ids.size();
  }
}

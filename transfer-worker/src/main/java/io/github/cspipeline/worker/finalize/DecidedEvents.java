package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.event.TransferEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The events this instance decided recently, by server and tracking id. A command redelivered to
 * this instance (after a publish failure, a shutdown or a duplicate) gets the same event again
 * instead of a second, possibly different decision. Bounded; lost on restart.
 */
public final class DecidedEvents {

  private final Map<String, TransferEvent> events;

  public DecidedEvents(int capacity) {
    this.events =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TransferEvent> eldest) {
            return size() > capacity;
          }
        };
  }

  public synchronized @Nullable TransferEvent get(String server, String trackingId) {
    return events.get(key(server, trackingId));
  }

  public synchronized void put(TransferEvent event) {
    events.put(key(event.server(), event.trackingId()), event);
  }

  private static String key(String server, String trackingId) {
    return server + "\n" + trackingId;
  }
}

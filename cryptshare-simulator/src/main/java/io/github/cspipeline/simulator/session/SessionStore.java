package io.github.cspipeline.simulator.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** Open transfer sessions by tracking id. */
@Component
public class SessionStore {

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  /** Adds the session unless its tracking id is taken; returns whether it was added. */
  public boolean add(Session session) {
    return sessions.putIfAbsent(session.trackingId(), session) == null;
  }

  public @Nullable Session get(String trackingId) {
    return sessions.get(trackingId);
  }

  public void remove(Session session) {
    sessions.remove(session.trackingId(), session);
  }

  public int size() {
    return sessions.size();
  }

  public void clear() {
    sessions.clear();
  }
}

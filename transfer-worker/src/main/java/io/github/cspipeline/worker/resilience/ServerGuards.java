package io.github.cspipeline.worker.resilience;

import java.util.Collection;
import java.util.Map;

/** The guard of every configured server, by server id. */
public record ServerGuards(Map<String, ServerGuard> byServer) {

  public ServerGuards {
    byServer = Map.copyOf(byServer);
  }

  /** The guard of a configured server. */
  public ServerGuard get(String server) {
    var guard = byServer.get(server);
    if (guard == null) {
      throw new IllegalArgumentException("no Cryptshare server '" + server + "' is configured");
    }
    return guard;
  }

  public Collection<ServerGuard> all() {
    return byServer.values();
  }
}

package io.github.cspipeline.cryptshare;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** One {@link CryptshareClient} per configured server id. */
public final class CryptshareClients {

  private final Map<String, CryptshareClient> clients;

  public CryptshareClients(
      Map<String, CryptshareServerProperties> servers,
      RequestInterceptor interceptor,
      Clock clock) {
    this(servers, interceptor, clock, id -> CallGuard.NONE);
  }

  /**
   * @param guards the guard of each server's requests, by server id
   */
  public CryptshareClients(
      Map<String, CryptshareServerProperties> servers,
      RequestInterceptor interceptor,
      Clock clock,
      Function<String, CallGuard> guards) {
    var byId = new LinkedHashMap<String, CryptshareClient>();
    servers.forEach(
        (id, properties) ->
            byId.put(
                id, new CryptshareClient(id, properties, interceptor, clock, guards.apply(id))));
    this.clients = Map.copyOf(byId);
  }

  /** The client of a configured server; an unknown id is a configuration error of the caller. */
  public CryptshareClient get(String server) {
    var client = clients.get(server);
    if (client == null) {
      throw new UnknownServerException(server);
    }
    return client;
  }

  public boolean contains(String server) {
    return clients.containsKey(server);
  }

  public Set<String> servers() {
    return clients.keySet();
  }

  /** A command or event names a server this instance has no configuration for. */
  public static final class UnknownServerException extends RuntimeException {
    public UnknownServerException(String server) {
      super(
          "No Cryptshare server '%s' is configured (cryptshare.servers.%s.base-url)"
              .formatted(server, server));
    }
  }
}

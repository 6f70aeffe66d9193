package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The status view: one entry per {@code (server, trackingId)}, built from the command and event
 * topics, which every instance reads whole, so any instance answers for any transfer. Entries live
 * in an on-disk store; the most recently used ones are also cached in memory, up to a configured
 * number. The store also keeps which request body each accepted Idempotency-Key belongs to.
 */
@Component
public class TransferViews implements DisposableBean {

  private record Key(String server, String trackingId) {
    byte[] bytes() {
      return ("v\n" + server + "\n" + trackingId).getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A registration for changes of one transfer; closing it ends the notifications. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private final ViewStore store;
  private final int cacheEntries;
  private final Map<Key, TransferView> cache;
  private final ReentrantLock[] stripes = new ReentrantLock[64];
  private final Map<Key, List<Consumer<TransferView>>> watchers = new ConcurrentHashMap<>();

  public TransferViews(GatewayProperties properties) {
    this.store = new ViewStore(properties.gateway().view());
    this.cacheEntries = properties.gateway().view().cacheEntries();
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, TransferView> eldest) {
            return size() > cacheEntries;
          }
        };
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  public Optional<TransferView> find(String server, String trackingId) {
    return Optional.ofNullable(load(new Key(server, trackingId)));
  }

  /**
   * Records a command this instance has just had acknowledged, before its reader sees it.
   *
   * @param idempotencyScope the caller-scoped Idempotency-Key the command was sent with, if any
   */
  public void acceptLocally(FinalizeCommand command, @Nullable String idempotencyScope) {
    apply(command, idempotencyScope);
  }

  /**
   * Calls {@code listener} with every later change of the transfer. Listeners run on the thread
   * that applies the change and must not block.
   */
  public Subscription watch(String server, String trackingId, Consumer<TransferView> listener) {
    var key = new Key(server, trackingId);
    watchers.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(listener);
    return () ->
        watchers.computeIfPresent(
            key,
            (k, list) -> {
              list.remove(listener);
              return list.isEmpty() ? null : list;
            });
  }

  /**
   * What identifies a finalize request's body: two requests with the same fingerprint are the same
   * request (the sender's case does not matter).
   */
  public static String fingerprint(String server, String sender, String trackingId) {
    return server + "\n" + sender.toLowerCase(java.util.Locale.ROOT) + "\n" + trackingId;
  }

  /** The request fingerprint an Idempotency-Key was first accepted with, if any. */
  public Optional<String> idempotencyFingerprint(String scopedKey) {
    var value = store.get(idempotencyKey(scopedKey));
    return Optional.ofNullable(value).map(v -> new String(v, StandardCharsets.UTF_8));
  }

  /** How many views the memory cache holds now; never more than the configured bound. */
  public int cachedEntries() {
    synchronized (cache) {
      return cache.size();
    }
  }

  void apply(FinalizeCommand command, @Nullable String idempotencyScope) {
    if (idempotencyScope != null) {
      bindIdempotencyKey(
          idempotencyScope, fingerprint(command.server(), command.sender(), command.trackingId()));
    }
    var key = new Key(command.server(), command.trackingId());
    update(
        key,
        current ->
            current != null
                ? current
                : TransferView.accepted(
                    command.server(),
                    command.sender(),
                    command.trackingId(),
                    command.requestedAt()));
  }

  void bindIdempotencyKey(String scopedKey, String fingerprint) {
    var key = idempotencyKey(scopedKey);
    var lock = stripe(scopedKey.hashCode());
    lock.lock();
    try {
      if (store.get(key) == null) {
        store.put(key, fingerprint.getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      lock.unlock();
    }
  }

  void apply(TransferEvent event) {
    var next = TransferView.of(event);
    update(
        new Key(event.server(), event.trackingId()),
        current -> {
          // Exactly one terminal state is kept; a non-terminal update never overrides a later one.
          if (current != null && (current.isTerminal() || next.rank() < current.rank())) {
            return current;
          }
          return next;
        });
  }

  private void update(Key key, java.util.function.UnaryOperator<@Nullable TransferView> change) {
    TransferView next;
    var lock = stripe(key.hashCode());
    lock.lock();
    try {
      var current = load(key);
      next = change.apply(current);
      if (next == null || next.equals(current)) {
        return;
      }
      store.put(key.bytes(), WireFormat.mapper().writeValueAsBytes(next));
      synchronized (cache) {
        cache.put(key, next);
      }
      var listeners = watchers.get(key);
      if (listeners != null) {
        for (var listener : listeners) {
          listener.accept(next);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private @Nullable TransferView load(Key key) {
    synchronized (cache) {
      var cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
    }
    var stored = store.get(key.bytes());
    if (stored == null) {
      return null;
    }
    var view = WireFormat.mapper().readValue(stored, TransferView.class);
    synchronized (cache) {
      cache.putIfAbsent(key, view);
    }
    return view;
  }

  private ReentrantLock stripe(int hash) {
    return stripes[Math.floorMod(hash, stripes.length)];
  }

  private static byte[] idempotencyKey(String scopedKey) {
    return ("i\n" + scopedKey).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void destroy() {
    store.close();
  }
}

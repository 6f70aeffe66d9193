package io.github.cspipeline.cryptshare;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The verification tokens of one server, by sender (case-insensitive), each reused until its
 * refresh time so that a token is not requested for every call.
 */
final class TokenCache {

  private static final int TOKEN_LOCK_STRIPES = 64;

  private final Function<String, VerificationToken> issuer;
  private final Duration refreshMargin;
  private final Clock clock;
  private final ConcurrentHashMap<String, CachedToken> tokens = new ConcurrentHashMap<>();
  // Token requests are HTTP calls: they must not run inside ConcurrentHashMap.compute (which
  // blocks unrelated keys of the same bin and pins virtual threads on JDK 21), so concurrent
  // callers for one sender wait on a lock stripe instead.
  private final ReentrantLock[] tokenLocks = new ReentrantLock[TOKEN_LOCK_STRIPES];

  /**
   * @param issuer requests a fresh token for a sender
   * @param refreshMargin a token is renewed this long before it expires
   */
  TokenCache(Function<String, VerificationToken> issuer, Duration refreshMargin, Clock clock) {
    this.issuer = issuer;
    this.refreshMargin = refreshMargin;
    this.clock = clock;
    for (int i = 0; i < tokenLocks.length; i++) {
      tokenLocks[i] = new ReentrantLock();
    }
  }

  /**
   * A valid token for {@code sender}, from the cache until its refresh time (the refresh margin
   * before it expires, or half its lifetime for short-lived tokens).
   */
  VerificationToken get(String sender) {
    var key = key(sender);
    var cached = usable(tokens.get(key));
    if (cached != null) {
      return cached;
    }
    var lock = tokenLocks[Math.floorMod(key.hashCode(), tokenLocks.length)];
    lock.lock();
    try {
      cached = usable(tokens.get(key));
      if (cached != null) {
        return cached;
      }
      var fresh = issuer.apply(sender);
      evictExpired();
      tokens.put(key, new CachedToken(fresh, refreshTime(fresh)));
      return fresh;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a refused token, unless another thread already replaced it. */
  void invalidate(String sender, VerificationToken refused) {
    tokens.computeIfPresent(
        key(sender), (k, cached) -> cached.token().equals(refused) ? null : cached);
  }

  private record CachedToken(VerificationToken token, Instant refreshAt) {}

  private @Nullable VerificationToken usable(@Nullable CachedToken cached) {
    return cached != null && clock.instant().isBefore(cached.refreshAt()) ? cached.token() : null;
  }

  private Instant refreshTime(VerificationToken token) {
    var now = clock.instant();
    var beforeMargin = token.validUntil().minus(refreshMargin);
    // A token that lives shorter than twice the margin is still reused for half its lifetime,
    // instead of being requested anew for every call.
    var halfLife = now.plus(Duration.between(now, token.validUntil()).dividedBy(2));
    return beforeMargin.isAfter(halfLife) ? beforeMargin : halfLife;
  }

  // One entry per sender ever seen would grow without bound; expired ones are useless anyway.
  private void evictExpired() {
    var now = clock.instant();
    tokens.values().removeIf(cached -> !cached.token().validUntil().isAfter(now));
  }

  private static String key(String sender) {
    return sender.toLowerCase(Locale.ROOT);
  }
}

package io.github.cspipeline.gateway.finalization;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A request's claim, on the claims topic, to be the one that finalizes a transfer (or the first to
 * use an Idempotency-Key). Claims for the same {@code key} are ordered by the topic's partition;
 * the first live one wins.
 *
 * @param claimId unique per request; the winner's command carries it as its commandId
 * @param key what is claimed: a transfer ({@code t\nserver\ntrackingId}) or an Idempotency-Key
 *     ({@code i\ncaller\nkey}); also the record key
 * @param fingerprint the request body it stands for ({@code server\nsender\ntrackingId})
 * @param instance the gateway instance that made the claim, for diagnosis
 * @param requestedAt when the request arrived there
 */
record Claim(UUID claimId, String key, String fingerprint, String instance, Instant requestedAt) {

  Claim {
    Objects.requireNonNull(claimId, "claimId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(requestedAt, "requestedAt");
  }

  static String transferKey(String server, String trackingId) {
    return "t\n" + server + "\n" + trackingId;
  }

  static String idempotencyKey(String scopedKey) {
    return "i\n" + scopedKey;
  }
}

package io.github.cspipeline.simulator.verification;

import java.time.Instant;

/** A verification token, bound to the pair (client id, sender). */
public record IssuedToken(String token, String clientId, String senderKey, Instant validUntil) {

  boolean isValidAt(Instant now) {
    return now.isBefore(validUntil);
  }
}

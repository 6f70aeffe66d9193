package io.github.cspipeline.gateway.finalization;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides claims in log order, the same way on every instance: the first claim for a key wins; a
 * later claim wins only when the current winner is older than the TTL (by the broker's log
 * timestamps), because a winner that has not produced its command by then never will. Only the
 * reader thread calls it.
 */
final class Arbitration {

  /** What the log says about one claim. */
  sealed interface Decision {
    /**
     * @param claimId the winning claim, whose id the command takes
     * @param loggedAt the claim's log timestamp, which becomes the command's {@code requestedAt}
     * @param takeover whether it replaced an older winner that never produced its command
     */
    record Won(java.util.UUID claimId, Instant loggedAt, boolean takeover) implements Decision {}

    /** Another claim for the same key came first and is still live. */
    record Lost(Claim winner, Instant winnerLoggedAt) implements Decision {}
  }

  private record Winner(Claim claim, Instant loggedAt) {}

  private final Duration ttl;
  private final Map<String, Winner> winners = new HashMap<>();
  private Instant latest = Instant.EPOCH;

  Arbitration(Duration ttl) {
    this.ttl = ttl;
  }

  Decision apply(Claim claim, Instant loggedAt) {
    if (loggedAt.isAfter(latest)) {
      latest = loggedAt;
    }
    var current = winners.get(claim.key());
    if (current != null && current.claim().claimId().equals(claim.claimId())) {
      return new Decision.Won(claim.claimId(), current.loggedAt(), false);
    }
    if (current == null || Duration.between(current.loggedAt(), loggedAt).compareTo(ttl) > 0) {
      winners.put(claim.key(), new Winner(claim, loggedAt));
      return new Decision.Won(claim.claimId(), loggedAt, current != null);
    }
    return new Decision.Lost(current.claim(), current.loggedAt());
  }

  /**
   * Forgets winners that can no longer beat a new claim. Keeping one longer changes no decision, so
   * the slack only guards against clock differences between partition leaders.
   */
  void prune(Duration slack) {
    var horizon = latest.minus(ttl).minus(slack);
    winners.values().removeIf(w -> w.loggedAt().isBefore(horizon));
  }

  int size() {
    return winners.size();
  }
}

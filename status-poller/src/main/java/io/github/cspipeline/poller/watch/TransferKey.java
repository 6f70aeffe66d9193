package io.github.cspipeline.poller.watch;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Identifies a transfer: tracking ids are unique per Cryptshare server only.
 *
 * @param server the Cryptshare server id
 * @param trackingId the transfer's tracking id
 */
public record TransferKey(String server, String trackingId) implements Comparable<TransferKey> {

  public TransferKey {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(trackingId, "trackingId");
  }

  // Written out for the identity shortcut: the index hands out its own key instances, and maps and
  // sets of keys are looked up on every poll.
  @Override
  public boolean equals(@Nullable Object other) {
    return this == other
        || other instanceof TransferKey(var otherServer, var otherTrackingId)
            && trackingId.equals(otherTrackingId)
            && server.equals(otherServer);
  }

  @Override
  public int hashCode() {
    return 31 * server.hashCode() + trackingId.hashCode();
  }

  @Override
  public int compareTo(TransferKey other) {
    int byServer = server.compareTo(other.server);
    return byServer != 0 ? byServer : trackingId.compareTo(other.trackingId);
  }

  @Override
  public String toString() {
    return trackingId + "@" + server;
  }
}

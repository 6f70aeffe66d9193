package io.github.cspipeline.poller.watch;

import java.util.Objects;

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

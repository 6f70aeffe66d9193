package io.github.cspipeline.poller.watch;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The value of a record on the watch topic ({@code cryptshare.status-poller.watches}): what a new
 * owner of the partition needs to go on watching the transfer. Progress (polls made, the next poll
 * time) is not stored; a new owner polls every watch again within one poll interval.
 *
 * @param schemaVersion version of this record's format, currently {@value #SCHEMA_VERSION}
 * @param server the Cryptshare server id
 * @param sender the transfer's sender
 * @param trackingId the transfer's tracking id
 * @param statusUrl the status URL of the {@code PROCESSING} event (checked at every poll)
 * @param since when the transfer entered {@code PROCESSING}
 * @param deadline when the watch gives up
 * @param watchedAt when the poller started watching
 * @param traceparent the W3C trace context kept with the watch: the {@code PROCESSING} event's, or
 *     that of the trace the poller started for it (ADR 020)
 */
public record WatchRecord(
    int schemaVersion,
    String server,
    String sender,
    String trackingId,
    URI statusUrl,
    Instant since,
    Instant deadline,
    Instant watchedAt,
    @Nullable String traceparent) {

  public static final int SCHEMA_VERSION = 1;

  public WatchRecord {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(trackingId, "trackingId");
    Objects.requireNonNull(statusUrl, "statusUrl");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(watchedAt, "watchedAt");
  }

  /** The record of a watch that starts now. */
  public static WatchRecord of(Watch watch, Instant watchedAt) {
    return new WatchRecord(
        SCHEMA_VERSION,
        watch.server(),
        watch.sender(),
        watch.trackingId(),
        watch.statusUrl(),
        watch.since(),
        watch.deadline(),
        watchedAt,
        watch.traceparent());
  }

  /** The record key: {@code server/trackingId} (tracking ids are unique per server only). */
  public static String keyOf(TransferKey key) {
    return key.server() + "/" + key.trackingId();
  }

  /** The transfer of a record key, or null when the key is not of that form. */
  public static @Nullable TransferKey parseKey(@Nullable String recordKey) {
    if (recordKey == null) {
      return null;
    }
    int slash = recordKey.lastIndexOf('/');
    if (slash <= 0 || slash == recordKey.length() - 1) {
      return null;
    }
    return new TransferKey(recordKey.substring(0, slash), recordKey.substring(slash + 1));
  }

  public TransferKey key() {
    return new TransferKey(server, trackingId);
  }
}

package io.github.cspipeline.poller.config;

import io.github.cspipeline.cryptshare.CryptshareServerProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the status-poller, under {@code cryptshare}. Everything but the servers has a
 * default, so the poller runs without any configuration file.
 *
 * @param servers the Cryptshare servers by id ({@code cryptshare.servers.<id>.base-url}, {@code
 *     .client-id}, ...); a {@code PROCESSING} event naming another server is watched without
 *     requests for {@code cryptshare.poller.unknown-server-grace}, then ends {@code ABANDONED}
 *     ({@code SERVER_NOT_CONFIGURED}). No default.
 * @param poller the poller's own settings ({@code cryptshare.poller.*})
 */
@Validated
@ConfigurationProperties("cryptshare")
public record PollerProperties(
    @NotEmpty Map<String, @Valid @NotNull CryptshareServerProperties> servers,
    @Valid @DefaultValue Poller poller) {

  /**
   * How transfers are watched.
   *
   * @param topics the Kafka topics
   * @param firstPollDelay how long after {@code PROCESSING} the first status poll happens, and the
   *     base of the backoff between later polls; default 1 s
   * @param backoffMultiplier factor between one poll interval and the next; default 2
   * @param backoffMax the longest interval between two polls; default 30 s (a {@code Retry-After}
   *     of the server may be longer and is honoured up to 1 h). A new owner of a partition polls
   *     each of its watches within one such interval.
   * @param jitter fraction by which each interval is shortened at random, so that transfers
   *     finalized together do not poll together; default 0.2
   * @param watchDeadline how long after {@code PROCESSING} a transfer is watched before it ends
   *     {@code ABANDONED} with {@code WATCH_DEADLINE_PASSED}; default 24 h
   * @param stuckAfter a transfer still {@code PROCESSING} this long after it started is logged as
   *     stuck (once) and counted in {@code cryptshare.poller.stuck}; default 1 h
   * @param notFoundLimit consecutive 404 answers to status polls after which a transfer ends {@code
   *     ABANDONED} with {@code TRANSFER_NOT_FOUND}; default 5
   * @param maxConcurrentPollsPerServer requests in flight per Cryptshare server at most; default 8
   * @param maxRequestsPerSecond requests per Cryptshare server (origin) in any one-second window at
   *     most, token renewals and list pages included; default 50
   * @param tick how often the scheduler looks for due polls; default 100 ms
   * @param bulk settling many watches of one sender through the sender's transfer list
   * @param groupId the consumer group of the poller's instances on the events topic; default {@code
   *     status-poller}
   * @param transactionalIdPrefix prefix of the transactional ids of the watch journal's producers
   *     ({@code <prefix>-<partition>}); must be the same for all instances of one poller deployment
   *     and differ from every other application on the cluster; default {@code status-poller}
   * @param unknownServerGrace how long a transfer {@code PROCESSING} on a server this instance has
   *     no configuration for (a misconfiguration, or a rolling deployment adding the server) waits,
   *     counted from when it was first watched, for an instance configured for the server to take
   *     its watch over; then it ends {@code ABANDONED} with {@code SERVER_NOT_CONFIGURED}. No
   *     request is made for it meanwhile. Default 10 min
   * @param journalLinger how long the watch journal waits after the first write of a round (a
   *     terminal event, the watches of a batch of events) for more to group into the round's
   *     transactions, one per events partition: fewer, larger transactions cost Kafka and the
   *     poller less per transfer, and each write waits this much longer (a terminal event: after
   *     polls seconds apart; polls go on meanwhile). 0 to write at once; at most 1 s; default 100
   *     ms
   */
  public record Poller(
      @Valid @DefaultValue Topics topics,
      @DefaultValue("1s") @DurationMin(millis = 1) Duration firstPollDelay,
      @DefaultValue("2.0") @DecimalMin("1.0") double backoffMultiplier,
      @DefaultValue("30s") @DurationMin(millis = 1) Duration backoffMax,
      @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0") double jitter,
      @DefaultValue("24h") @DurationMin(millis = 1) Duration watchDeadline,
      @DefaultValue("1h") @DurationMin(millis = 1) Duration stuckAfter,
      @DefaultValue("5") @Min(1) int notFoundLimit,
      @DefaultValue("8") @Min(1) int maxConcurrentPollsPerServer,
      @DefaultValue("50") @Min(1) @Max(100_000) int maxRequestsPerSecond,
      @DefaultValue("100ms") @DurationMin(millis = 1) Duration tick,
      @Valid @DefaultValue Bulk bulk,
      @DefaultValue("status-poller") @NotBlank String groupId,
      @DefaultValue("status-poller") @NotBlank String transactionalIdPrefix,
      @DefaultValue("10m") @DurationMin(millis = 1) Duration unknownServerGrace,
      @DefaultValue("100ms") @DurationMin(millis = 0) @DurationMax(seconds = 1)
          Duration journalLinger) {}

  /**
   * Bulk reconciliation through {@code GET /api/users/{sender}/transfers}.
   *
   * @param enabled whether due watches of a sender with many watches are settled from the list;
   *     default true
   * @param minWatchedPerSender watched transfers of one sender on one server from which its list is
   *     used; default 10
   * @param pageSize transfers per list page (Cryptshare allows 1..100); default 100
   * @param maxPages pages read per sweep at most; watches not found in them get their own status
   *     request; default 20
   */
  public record Bulk(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("10") @Min(1) int minWatchedPerSender,
      @DefaultValue("100") @Min(1) @Max(100) int pageSize,
      @DefaultValue("20") @Min(1) int maxPages) {}

  /**
   * Kafka topics.
   *
   * @param events transfer events: read for {@code PROCESSING} and terminal events, written with
   *     terminal events; default {@code cryptshare.transfer.events}
   * @param watches the poller's compacted watch topic, one record per watched transfer (key {@code
   *     server/trackingId}, tombstone when the watch ends), partitioned like the events topic; the
   *     poller creates it; default {@code cryptshare.status-poller.watches}
   * @param deadLetters events the poller cannot read or act on, with the reason in headers; default
   *     {@code cryptshare.status-poller.dlt}
   */
  public record Topics(
      @DefaultValue(io.github.cspipeline.model.Topics.TRANSFER_EVENTS) @NotBlank String events,
      @DefaultValue(WATCHES_TOPIC) @NotBlank String watches,
      @DefaultValue(DEAD_LETTERS_TOPIC) @NotBlank String deadLetters) {}

  // The poller's internal topics: the module owns their names, common-model only the public ones.

  /** The watch topic's default name. */
  public static final String WATCHES_TOPIC = "cryptshare.status-poller.watches";

  /** The dead-letter topic's default name. */
  public static final String DEAD_LETTERS_TOPIC = "cryptshare.status-poller.dlt";
}

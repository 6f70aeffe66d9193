package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.CryptshareServerProperties;
import io.github.cspipeline.model.Topics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything the transfer-worker can be configured with, under the prefix {@code cryptshare}. Kafka
 * connection settings are Spring Boot's own ({@code spring.kafka.*}).
 *
 * @param servers the Cryptshare servers by id ({@code cryptshare.servers.<id>.base-url}, {@code
 *     .client-id}, {@code .connect-timeout}, {@code .read-timeout}, ...). At least one; each needs
 *     a client id, because the worker verifies senders in client-id mode and sends it with every
 *     request. No defaults.
 * @param worker how the worker consumes, retries and publishes
 */
@Validated
@ConfigurationProperties("cryptshare")
public record WorkerProperties(
    @NotEmpty Map<String, @Valid CryptshareServerProperties> servers,
    @Valid @DefaultValue Worker worker) {

  /** The worker verifies senders itself, so a server without a client id is unusable. */
  @AssertTrue(message = "every cryptshare.servers.<id> needs a client-id")
  public boolean isEveryServerWithClientId() {
    return servers == null || servers.values().stream().allMatch(s -> s.clientId() != null);
  }

  /** A typo in a server id under {@code cryptshare.worker.servers} would silently apply nothing. */
  @AssertTrue(
      message = "every cryptshare.worker.servers.<id> must be a configured cryptshare.servers.<id>")
  public boolean isEveryServerSettingForAConfiguredServer() {
    return servers == null
        || worker == null
        || servers.keySet().containsAll(worker.servers().keySet());
  }

  /** The retry budget of a server's commands; {@code unknownServerBudget} for other servers. */
  public Duration budgetOf(String server) {
    return servers.containsKey(server)
        ? settingsOf(server).retry().budget()
        : worker.unknownServerBudget();
  }

  /** The resilience settings of a server: its own, or the defaults. */
  public ServerSettings settingsOf(String server) {
    var own = worker.servers().get(server);
    return own != null ? own : ServerSettings.defaults();
  }

  /**
   * @param groupId Kafka consumer group of the finalize command consumers
   * @param concurrency consumer threads per instance
   * @param maxPollRecords commands taken in per poll
   * @param maxPending the most transfers one instance works on at once; beyond that, consumption
   *     pauses until some are decided
   * @param credentialKeys keys that decrypt pass-through credentials ({@code
   *     FinalizeCommand.credential}), by key id, each 32 bytes in standard base64. No default. A
   *     credential of a key id not configured here waits within its server's retry budget for an
   *     instance that has the key, then ends {@code ABANDONED} ({@code CREDENTIAL_KEY_UNKNOWN}); a
   *     credential a configured key does not decrypt ends {@code REJECTED} ({@code
   *     CREDENTIAL_INVALID}). Secrets.
   * @param servers resilience settings per Cryptshare server id; servers without an entry get the
   *     defaults of {@link ServerSettings}
   * @param topics topic names and how the worker declares the topics it produces to
   * @param decidedMemory how long a decided transfer is remembered in memory to recognise a
   *     repeated command at once; older ones are looked up on the state topic when a command for
   *     them comes (default 1 h)
   * @param maxDecided the most decided transfers remembered in memory, the oldest forgotten first
   *     (default 100,000; about 200 bytes each)
   * @param reannounceAfter how old a decision must be before a command for its transfer with a new
   *     command id is answered by publishing the decision again, with its original event id (a
   *     gateway that forgot the transfer, beyond its topics' retention, accepted it anew); younger
   *     ones are duplicates the gateway knows about. Keep it below the events topic's retention
   *     (default 1 d)
   * @param unknownServerBudget the retry budget of a command for a server not configured here: it
   *     waits that long for an instance configured for it to take it over (e.g. in a rolling
   *     deployment), then ends {@code ABANDONED} ({@code SERVER_NOT_CONFIGURED})
   */
  public record Worker(
      @DefaultValue("transfer-worker") @NotBlank String groupId,
      @DefaultValue("1") @Min(1) @Max(64) int concurrency,
      @DefaultValue("50") @Min(1) @Max(1000) int maxPollRecords,
      @DefaultValue("1000") @Min(1) int maxPending,
      @DefaultValue Map<String, String> credentialKeys,
      @DefaultValue Map<String, @Valid ServerSettings> servers,
      @Valid @DefaultValue TopicSettings topics,
      @DefaultValue("1h") @DurationMin(millis = 0) Duration decidedMemory,
      @DefaultValue("100000") @Min(0) int maxDecided,
      @DefaultValue("10m") @DurationMin(millis = 1) Duration unknownServerBudget,
      @DefaultValue("1d") @DurationMin(millis = 0) Duration reannounceAfter) {

    /** Never prints the credential keys. */
    @Override
    public String toString() {
      return "Worker[groupId=%s, concurrency=%d, maxPollRecords=%d, maxPending=%d, credentialKeys=%s, servers=%s, topics=%s, decidedMemory=%s, maxDecided=%d, unknownServerBudget=%s, reannounceAfter=%s]"
          .formatted(
              groupId,
              concurrency,
              maxPollRecords,
              maxPending,
              credentialKeys.keySet(),
              servers,
              topics,
              decidedMemory,
              maxDecided,
              unknownServerBudget,
              reannounceAfter);
    }
  }

  /**
   * How the worker treats one Cryptshare server (resilience4j instances named after the server id).
   * Connect and read timeouts are {@code cryptshare.servers.<id>.connect-timeout} and {@code
   * .read-timeout}.
   *
   * @param rateLimit the most requests per second sent to the server (every endpoint), spread
   *     evenly over the second; 0 = no limit
   * @param maxConcurrentCalls the most requests in flight to the server at once (bulkhead)
   * @param maxWait how long a request may wait for a slot or a rate permit before it counts as a
   *     failed attempt and is retried later
   * @param retry how transient failures are retried
   * @param circuitBreaker when the worker stops calling the server for a while
   */
  public record ServerSettings(
      @DefaultValue("20") @DecimalMin("0") double rateLimit,
      @DefaultValue("10") @Min(1) int maxConcurrentCalls,
      @DefaultValue("30s") @DurationMin(millis = 0) Duration maxWait,
      @Valid @DefaultValue Retry retry,
      @Valid @DefaultValue CircuitBreaker circuitBreaker) {

    private static final ServerSettings DEFAULTS =
        new Binder().bindOrCreate("cryptshare.worker.servers.any", ServerSettings.class);

    /** The settings of a server without an entry: every default above. */
    public static ServerSettings defaults() {
      return DEFAULTS;
    }
  }

  /**
   * Retries of transient failures (unreachable server, 5xx, 408, 429, lost answers). The delay
   * before retry {@code n} is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, of which
   * the second half is random; a longer {@code Retry-After} wins.
   *
   * @param budget total time one command may spend, from intake to decision, before it ends {@code
   *     ABANDONED}; survives restarts
   * @param initialBackoff delay before the first retry
   * @param maxBackoff longest delay between two retries
   * @param multiplier growth of the delay per retry
   */
  public record Retry(
      @DefaultValue("10m") @DurationMin(millis = 1) Duration budget,
      @DefaultValue("1s") @DurationMin(millis = 1) Duration initialBackoff,
      @DefaultValue("1m") @DurationMin(millis = 1) Duration maxBackoff,
      @DefaultValue("2.0") @DecimalMin("1.0") double multiplier) {

    @AssertTrue(message = "max-backoff must not be shorter than initial-backoff")
    public boolean isBackoffOrdered() {
      return maxBackoff == null
          || initialBackoff == null
          || maxBackoff.compareTo(initialBackoff) >= 0;
    }
  }

  /**
   * The circuit breaker over the last calls: 5xx, 408, timeouts, resets and refused connections
   * count as failures; other answers as successes; 429 as neither. While it is open the worker
   * makes no call to the server, pauses consumption when no server is usable, and retries nothing;
   * after {@code waitInOpenState} a few trial calls decide whether it closes again.
   *
   * @param failureRateThreshold percentage of failed calls that opens the circuit
   * @param slidingWindowSize the number of last calls judged
   * @param minimumNumberOfCalls calls needed before the failure rate counts
   * @param waitInOpenState how long the circuit stays open before trial calls
   * @param callsInHalfOpenState trial calls after the wait
   */
  public record CircuitBreaker(
      @DefaultValue("50") @DecimalMin("1") @DecimalMax("100") float failureRateThreshold,
      @DefaultValue("20") @Min(1) int slidingWindowSize,
      @DefaultValue("10") @Min(1) int minimumNumberOfCalls,
      @DefaultValue("30s") @DurationMin(millis = 1) Duration waitInOpenState,
      @DefaultValue("3") @Min(1) int callsInHalfOpenState) {}

  /**
   * @param commands the finalize commands to consume
   * @param events where transfer events are published
   * @param deadLetters where unreadable or invalid commands go, with the reason in headers
   * @param state the worker's compacted progress topic (what it took in and decided)
   * @param eventPartitions partitions of the events topic when the worker creates it
   * @param deadLetterPartitions partitions of the dead-letter topic when the worker creates it
   * @param statePartitions partitions of the state topic when the worker creates it
   * @param stateRetention how long decisions are remembered: a command repeated later than this is
   *     finalized again
   * @param replicationFactor replication of the topics the worker creates
   */
  public record TopicSettings(
      @DefaultValue(Topics.FINALIZE_COMMANDS) @NotBlank String commands,
      @DefaultValue(Topics.TRANSFER_EVENTS) @NotBlank String events,
      @DefaultValue(DEAD_LETTERS_TOPIC) @NotBlank String deadLetters,
      @DefaultValue(STATE_TOPIC) @NotBlank String state,
      @DefaultValue("6") @Min(1) int eventPartitions,
      @DefaultValue("1") @Min(1) int deadLetterPartitions,
      @DefaultValue("6") @Min(1) int statePartitions,
      @DefaultValue("14d") @DurationMin(hours = 1) Duration stateRetention,
      @DefaultValue("1") @Min(1) short replicationFactor) {}

  // The worker's internal topics: the module owns their names, common-model only the public ones.

  /** The dead-letter topic's default name: commands the worker could not read or act on. */
  public static final String DEAD_LETTERS_TOPIC = "cryptshare.transfer-worker.dlt";

  /**
   * The state topic's default name: the worker's progress per transfer (compacted; key {@code
   * server/trackingId}), what it has taken in and what it decided, rebuilt on partition assignment.
   */
  public static final String STATE_TOPIC = "cryptshare.transfer-worker.state";
}

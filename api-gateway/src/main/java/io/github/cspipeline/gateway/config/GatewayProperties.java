package io.github.cspipeline.gateway.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the api-gateway, under {@code cryptshare}.
 *
 * @param servers the Cryptshare servers callers may name, by id ({@code cryptshare.servers.<id>});
 *     the gateway needs only the ids, the URLs matter to the worker and the poller
 * @param gateway the gateway's own settings
 */
@Validated
@ConfigurationProperties("cryptshare")
public record GatewayProperties(
    @NotEmpty Map<String, @Valid Server> servers, @Valid @NotNull Gateway gateway) {

  /**
   * One Cryptshare server as the gateway sees it.
   *
   * @param baseUrl the server's URL; not used by the gateway, accepted so that all services can
   *     share one configuration
   */
  public record Server(@Nullable URI baseUrl) {}

  /**
   * @param apiKeys the API keys that may call the gateway, kept as SHA-256 hashes; no default
   * @param jwt JWT bearer tokens as a second way in; off when absent
   * @param topics the Kafka topics
   * @param sendTimeout how long a finalize request may take to claim its transfer and have Kafka
   *     acknowledge its command before the gateway answers 503
   * @param retryAfter the {@code Retry-After} sent with a 503
   * @param claimTtl how long a claim whose command never appeared keeps others from finalizing the
   *     same transfer; at least twice the send timeout plus two seconds, because a command sent
   *     near the end of the send timeout may still land up to one send timeout later
   * @param credentialKeys AES-256 keys (base64 of 32 bytes) by key id, for sealing pass-through
   *     verification tokens; none by default, and then such tokens are refused
   * @param credentialKeyId the key id that seals new tokens; required when keys are configured
   * @param maxBodySize the largest request body accepted
   * @param sseTimeout how long an event stream stays open without reaching a terminal state
   * @param sse the bounds and heartbeat of event streams
   * @param view the status view's store and its memory bound
   */
  public record Gateway(
      @DefaultValue List<@Valid ApiKey> apiKeys,
      @Valid @Nullable Jwt jwt,
      @Valid @DefaultValue Topics topics,
      @DefaultValue("5s") Duration sendTimeout,
      @DefaultValue("5s") Duration retryAfter,
      @DefaultValue("15s") Duration claimTtl,
      @DefaultValue Map<String, String> credentialKeys,
      @Nullable @Pattern(regexp = "[A-Za-z0-9_-]{1,32}") String credentialKeyId,
      @DefaultValue("16KB") DataSize maxBodySize,
      @DefaultValue("10m") Duration sseTimeout,
      @Valid @DefaultValue Sse sse,
      @Valid @DefaultValue View view) {

    @AssertTrue(message = "configure at least one API key or cryptshare.gateway.jwt")
    public boolean isSomeCredentialConfigured() {
      return !apiKeys.isEmpty() || jwt != null;
    }

    @AssertTrue(message = "claim-ttl must be at least 2 x send-timeout + 2s")
    public boolean isClaimTtlLongEnough() {
      return claimTtl.compareTo(sendTimeout.multipliedBy(2).plusSeconds(2)) >= 0;
    }

    @AssertTrue(message = "credential-key-id must name one of credential-keys")
    public boolean isCredentialKeyIdKnown() {
      return credentialKeys.isEmpty()
          || (credentialKeyId != null && credentialKeys.containsKey(credentialKeyId));
    }
  }

  /**
   * An API key and what it may do.
   *
   * @param name shown in logs and metrics instead of the key
   * @param sha256 hex SHA-256 of the key (e.g. {@code printf %s "$KEY" | sha256sum})
   * @param servers server ids this key may use; {@code *} for all (the default)
   * @param senders sender patterns this key may act for, e.g. {@code *@example.com}; {@code *} for
   *     all (the default)
   * @param requestsPerSecond the key's request rate limit on each gateway instance (a token bucket
   *     that holds one second's worth)
   */
  public record ApiKey(
      @NotBlank String name,
      @NotBlank @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits")
          String sha256,
      @DefaultValue("*") List<String> servers,
      @DefaultValue("*") List<String> senders,
      @DefaultValue("100") @Positive double requestsPerSecond) {}

  /**
   * JWT bearer tokens (OAuth2 resource-server style). A token is accepted when its signature
   * verifies against the JWK set or the public key, it is within its validity, and issuer and
   * audience match. Its scope comes from two claims, each a list or a space-separated string.
   *
   * @param issuer the required {@code iss}
   * @param jwkSetUri where the signing keys are published; either this or {@code publicKey}
   * @param publicKey an RSA public key (PEM or base64 X.509), instead of a JWK set
   * @param audience the required {@code aud}; not checked when absent
   * @param serversClaim the claim with the server ids the token may use
   * @param sendersClaim the claim with the sender patterns the token may act for
   * @param nameClaim the claim that names the caller in logs, metrics and the rate limit
   * @param requestsPerSecond the rate limit of each token subject, per gateway instance
   */
  public record Jwt(
      @NotBlank String issuer,
      @Nullable URI jwkSetUri,
      @Nullable String publicKey,
      @Nullable String audience,
      @DefaultValue("cryptshare_servers") String serversClaim,
      @DefaultValue("cryptshare_senders") String sendersClaim,
      @DefaultValue("sub") String nameClaim,
      @DefaultValue("100") @Positive double requestsPerSecond) {

    @AssertTrue(message = "set exactly one of jwk-set-uri and public-key")
    public boolean isKeySourceUnique() {
      return (jwkSetUri == null) != (publicKey == null);
    }
  }

  /**
   * @param commands the finalize command topic
   * @param events the transfer event topic
   * @param claims the gateway's internal claims topic, which orders concurrent requests for the
   *     same transfer across instances
   * @param partitions partitions of the command and claims topics when the gateway creates them
   * @param replicas replication factor of those topics when the gateway creates them
   * @param claimsRetention how long the claims topic keeps records; only the last two claim TTLs
   *     are ever read
   */
  public record Topics(
      @DefaultValue(io.github.cspipeline.model.Topics.FINALIZE_COMMANDS) String commands,
      @DefaultValue(io.github.cspipeline.model.Topics.TRANSFER_EVENTS) String events,
      @DefaultValue(CLAIMS_TOPIC) String claims,
      @DefaultValue("6") int partitions,
      @DefaultValue("1") short replicas,
      @DefaultValue("1d") Duration claimsRetention) {

    /** The gateway's internal topic of claims (ADR 015); the module owns it and creates it. */
    public static final String CLAIMS_TOPIC = "cryptshare.api-gateway.claims";
  }

  /**
   * Server-Sent Events streams ({@code GET /api/v1/transfers/{trackingId}/events}) on each
   * instance. Each open stream holds a slot until it ends for any reason: terminal state, timeout,
   * client gone, error or shutdown.
   *
   * @param maxStreamsPerCaller open streams one credential (API key or JWT subject) may hold; one
   *     more is answered 429 {@code TOO_MANY_STREAMS} with {@code Retry-After}
   * @param maxStreams open streams of all callers together; one more is answered 503 {@code
   *     STREAMS_EXHAUSTED} with {@code Retry-After}
   * @param heartbeat how long a stream may be silent before it sends a comment line; a client that
   *     is gone is noticed when that write fails, and its slot is freed
   */
  public record Sse(
      @DefaultValue("20") @Positive int maxStreamsPerCaller,
      @DefaultValue("1000") @Positive int maxStreams,
      @DefaultValue("15s") Duration heartbeat) {

    @AssertTrue(message = "heartbeat must be positive")
    public boolean isHeartbeatPositive() {
      return heartbeat.isPositive();
    }
  }

  /**
   * The status view: a RocksDB store on local disk, rebuilt from the topics at every start, with a
   * small cache of recent entries in front.
   *
   * @param stateDir where the store lives; a new temporary directory when absent. Wiped at start.
   * @param cacheEntries how many views the in-memory cache holds
   * @param blockCache RocksDB's block cache (memory), which also accounts the write buffers
   * @param writeBuffer RocksDB's memtable budget, charged to the block cache
   */
  public record View(
      @Nullable Path stateDir,
      @DefaultValue("10000") @Positive int cacheEntries,
      @DefaultValue("32MB") DataSize blockCache,
      @DefaultValue("8MB") DataSize writeBuffer) {}
}

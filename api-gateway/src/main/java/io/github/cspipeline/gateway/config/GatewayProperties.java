package io.github.cspipeline.gateway.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
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
   * @param topics the Kafka topics
   * @param sendTimeout how long a request waits for Kafka to acknowledge its command before the
   *     gateway answers 503
   * @param retryAfter the {@code Retry-After} sent with a 503
   */
  public record Gateway(
      @NotEmpty List<@Valid ApiKey> apiKeys,
      @Valid @DefaultValue Topics topics,
      @DefaultValue("5s") Duration sendTimeout,
      @DefaultValue("5s") Duration retryAfter) {}

  /**
   * An API key and what it may do.
   *
   * @param name shown in logs and metrics instead of the key
   * @param sha256 hex SHA-256 of the key (e.g. {@code printf %s "$KEY" | sha256sum})
   * @param servers server ids this key may use; {@code *} for all (the default)
   * @param senders sender patterns this key may act for, e.g. {@code *@example.com}; {@code *} for
   *     all (the default)
   */
  public record ApiKey(
      @NotBlank String name,
      @NotBlank @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits")
          String sha256,
      @DefaultValue("*") List<String> servers,
      @DefaultValue("*") List<String> senders) {}

  /**
   * @param commands the finalize command topic
   * @param events the transfer event topic
   * @param partitions partitions of the command topic when the gateway creates it
   * @param replicas replication factor of the command topic when the gateway creates it
   */
  public record Topics(
      @DefaultValue(io.github.cspipeline.model.Topics.FINALIZE_COMMANDS) String commands,
      @DefaultValue(io.github.cspipeline.model.Topics.TRANSFER_EVENTS) String events,
      @DefaultValue("6") int partitions,
      @DefaultValue("1") short replicas) {}
}

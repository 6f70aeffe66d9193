package io.github.cspipeline.gateway.security;

import io.github.cspipeline.gateway.config.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The configured API keys, held only as SHA-256 hashes. A presented key is hashed and compared in
 * constant time with every configured hash.
 */
@Component
public class ApiKeys {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

  /** The well-known key of the local profile; using it anywhere else is a mistake. */
  static final String LOCAL_DEV_KEY = "local-dev-key";

  private record Entry(byte[] hash, Caller caller) {}

  private final List<Entry> entries;

  public ApiKeys(GatewayProperties properties) {
    this.entries =
        properties.gateway().apiKeys().stream()
            .map(
                k ->
                    new Entry(
                        HexFormat.of().parseHex(k.sha256().toLowerCase(java.util.Locale.ROOT)),
                        new Caller(k.name(), k.servers(), k.senders(), k.requestsPerSecond())))
            .toList();
    var localHash = sha256(LOCAL_DEV_KEY);
    if (entries.stream().anyMatch(e -> MessageDigest.isEqual(e.hash(), localHash))) {
      log.warn(
          "The local development API key '{}' is accepted: fine for ./run-local, never for"
              + " production",
          LOCAL_DEV_KEY);
    }
  }

  public Optional<Caller> authenticate(String presentedKey) {
    var hash = sha256(presentedKey);
    Caller found = null;
    // No early exit: the time taken does not tell which key matched.
    for (var entry : entries) {
      if (MessageDigest.isEqual(entry.hash(), hash)) {
        found = entry.caller();
      }
    }
    return Optional.ofNullable(found);
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}

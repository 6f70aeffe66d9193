package io.github.cspipeline.gateway.security;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An authenticated caller and the servers and senders it may act for.
 *
 * @param name the key's configured name or {@code jwt:<subject>} (never the credential)
 * @param servers server ids, or {@code *}
 * @param senders sender patterns where {@code *} matches any characters
 * @param requestsPerSecond the caller's rate limit on this instance
 */
public record Caller(
    String name, List<String> servers, List<String> senders, double requestsPerSecond) {

  private static final java.util.Map<String, Pattern> GLOBS =
      new java.util.concurrent.ConcurrentHashMap<>();

  public Caller {
    servers = List.copyOf(servers);
    senders = List.copyOf(senders);
  }

  public boolean mayUseServer(String server) {
    return servers.contains("*") || servers.contains(server);
  }

  public boolean mayActFor(String sender) {
    var address = sender.toLowerCase(Locale.ROOT);
    // Patterns come from configuration or a token's claims; compiled once each.
    return senders.stream()
        .anyMatch(p -> GLOBS.computeIfAbsent(p, Caller::glob).matcher(address).matches());
  }

  private static Pattern glob(String pattern) {
    var regex = new StringBuilder();
    for (String part : pattern.toLowerCase(Locale.ROOT).split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }
}

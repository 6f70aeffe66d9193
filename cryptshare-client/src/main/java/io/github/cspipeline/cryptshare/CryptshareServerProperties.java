package io.github.cspipeline.cryptshare;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One Cryptshare server, configured under {@code cryptshare.servers.<id>}.
 *
 * @param baseUrl the server's root, e.g. {@code https://cs.example.com}; the API lives under {@code
 *     /api}. No default.
 * @param clientId the client id registered for client-id verification (50–4000 alphanumerics); a
 *     secret. Surrounding whitespace (a trailing newline of a secret file) is ignored. No default;
 *     needed when the pipeline obtains verification tokens itself.
 * @param connectTimeout how long to wait for a TCP connection
 * @param readTimeout how long to wait for an answer once the request is sent
 * @param apiMinorVersion sent as {@code X-CS-MinimumMinorApiVersion}
 * @param tokenRefreshMargin a cached verification token is renewed this long before it expires
 */
public record CryptshareServerProperties(
    @NotNull URI baseUrl,
    @Nullable String clientId,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("30s") Duration readTimeout,
    @DefaultValue("10") int apiMinorVersion,
    @DefaultValue("5m") Duration tokenRefreshMargin) {

  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9]{50,4000}");

  public CryptshareServerProperties {
    // Checked here rather than with @Pattern: a bean-validation failure message quotes the
    // rejected value, and start-up failures are logged, so a mistyped secret would leak.
    if (clientId != null) {
      clientId = clientId.strip();
      if (!CLIENT_ID.matcher(clientId).matches()) {
        throw new IllegalArgumentException(
            "client-id must be 50-4000 alphanumerics (it has %d characters)"
                .formatted(clientId.length()));
      }
    }
  }

  /** Never prints the client id. */
  @Override
  public String toString() {
    return "CryptshareServerProperties[baseUrl=%s, clientId=%s]"
        .formatted(baseUrl, clientId == null ? "none" : "***");
  }
}

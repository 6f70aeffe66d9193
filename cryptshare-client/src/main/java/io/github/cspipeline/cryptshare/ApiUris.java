package io.github.cspipeline.cryptshare;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * The URLs of one Cryptshare server: API paths below its base URL, and status URLs taken from a
 * {@code Location}, which must stay inside the server's origin (the token goes wherever they
 * point). Everything derived from the base URL is computed once, since the worker and the poller
 * build a URL on every call.
 */
final class ApiUris {

  private final String server;
  private final URI baseUrl;
  private final String apiBase;
  private final URI resolvingBase;

  ApiUris(String server, URI baseUrl) {
    this.server = server;
    this.baseUrl = baseUrl;
    this.resolvingBase = baseForResolving(baseUrl);
    this.apiBase =
        UriComponentsBuilder.fromUri(baseUrl).path("/api").encode().build().toUriString();
  }

  // The base is encoded once; a UriComponentsBuilder per request (parse, sanitize, encode the
  // whole URL) showed up in the worker's profile (issue 12). Segments are encoded as pathSegment()
  // does, and empty ones skipped as it does.
  URI api(String... segments) {
    var uri = new StringBuilder(apiBase.length() + 96).append(apiBase);
    for (var segment : segments) {
      if (!segment.isEmpty()) {
        uri.append('/').append(UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
      }
    }
    return URI.create(uri.toString());
  }

  /** {@code /api/users/{sender}/transfers?page=&page-size=}. */
  URI transfersPage(String sender, int page, int pageSize) {
    return UriComponentsBuilder.fromUri(api("users", sender, "transfers"))
        .queryParam("page", page)
        .queryParam("page-size", pageSize)
        .build(true)
        .toUri();
  }

  /**
   * Resolves a {@code Location} (absolute or relative) against the server's base URL and refuses
   * one that leaves the server's origin.
   */
  URI resolveStatusUrl(String location) {
    URI resolved;
    try {
      resolved = resolvingBase.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new ForeignLocationException(server, location);
    }
    requireInsideOrigin(resolved);
    return resolved;
  }

  void requireInsideOrigin(URI url) {
    if (!Objects.equals(lower(url.getScheme()), lower(baseUrl.getScheme()))
        || !Objects.equals(lower(url.getHost()), lower(baseUrl.getHost()))
        || effectivePort(url) != effectivePort(baseUrl)
        || url.getRawUserInfo() != null) {
      throw new ForeignLocationException(server, url.toString());
    }
  }

  // RFC 3986 merges a relative reference with a base of empty path as if the path were "/"; older
  // JDKs (before 23) do not, and would glue "api/..." onto the port. Made once: the worker
  // resolves every finalize answer's Location against it.
  private static URI baseForResolving(URI base) {
    var path = base.getRawPath();
    if (path != null && !path.isEmpty()) {
      return base;
    }
    return URI.create(base.getScheme() + "://" + base.getRawAuthority() + "/");
  }

  private static @Nullable String lower(@Nullable String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int effectivePort(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}

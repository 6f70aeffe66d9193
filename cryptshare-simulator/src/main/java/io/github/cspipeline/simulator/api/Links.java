package io.github.cspipeline.simulator.api;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Absolute URLs the simulator hands out, built from the scheme, host and port of the request (the
 * sender address goes raw into the path, as on a real server).
 */
public final class Links {

  private Links() {}

  public static String base(HttpServletRequest request) {
    return ServletUriComponentsBuilder.fromContextPath(request).replaceQuery(null).toUriString();
  }

  public static String status(String base, String sender, String trackingId) {
    return url(base, "api", "users", sender, "transfers", trackingId);
  }

  public static String session(String base, String sender, String trackingId) {
    return url(base, "api", "users", sender, "transfer-sessions", trackingId);
  }

  public static String sessionFile(String base, String sender, String trackingId, String fileId) {
    return url(base, "api", "users", sender, "transfer-sessions", trackingId, "files", fileId);
  }

  public static String transferFile(String base, String sender, String trackingId, String fileId) {
    return url(base, "api", "users", sender, "transfers", trackingId, "files", fileId);
  }

  public static String download(String base, String recipientTransferId) {
    return url(base, "download", recipientTransferId);
  }

  private static String url(String base, String... segments) {
    return UriComponentsBuilder.fromUriString(base)
        .pathSegment(segments)
        .build()
        .encode()
        .toUriString();
  }
}

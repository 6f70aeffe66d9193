package io.github.cspipeline.simulator.stats;

import io.github.cspipeline.simulator.api.PathVariables;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.web.util.UriUtils;

/** The Cryptshare API endpoints the statistics tell apart. */
public enum Endpoint {
  CLIENTS,
  VERIFICATION,
  TOKEN,
  SESSIONS,
  FILES,
  FINALIZE,
  STATUS,
  LIST,
  OTHER;

  /**
   * A request's endpoint and, for finalize and status, the tracking id and the sender (decoded, at
   * most {@value #MAX_SENDER} characters) it names.
   */
  public record Classified(
      Endpoint endpoint, @Nullable String trackingId, @Nullable String sender) {

    public Classified(Endpoint endpoint, @Nullable String trackingId) {
      this(endpoint, trackingId, null);
    }
  }

  /** Longer sender segments are cut: a caller's path must not grow the memory. */
  static final int MAX_SENDER = 320;

  private static final String API = "/api/";

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Classifies by method and path (without context path), before any routing happened. */
  public static Classified classify(String method, String path) {
    if (!path.startsWith(API)) {
      return new Classified(OTHER, null);
    }
    String[] segments = path.substring(API.length()).split("/", -1);
    if (segments.length == 1 && segments[0].equals("clients")) {
      return new Classified(CLIENTS, null);
    }
    if (segments.length < 3 || !segments[0].equals("users")) {
      return new Classified(OTHER, null);
    }
    String resource = segments[2];
    int depth = segments.length;
    switch (resource) {
      case "verification" -> {
        boolean token = depth == 4 && segments[3].equals("token") && method.equals("POST");
        return new Classified(token ? TOKEN : VERIFICATION, null);
      }
      case "transfer-sessions" -> {
        if (depth == 4 && method.equals("POST")) {
          return new Classified(FINALIZE, trackingIdOrNull(segments[3]), sender(segments[1]));
        }
        return new Classified(depth >= 5 && segments[4].equals("files") ? FILES : SESSIONS, null);
      }
      case "transfers" -> {
        if (depth == 3) {
          return new Classified(LIST, null);
        }
        if (depth == 4 && method.equals("GET")) {
          return new Classified(STATUS, trackingIdOrNull(segments[3]), sender(segments[1]));
        }
        return new Classified(OTHER, null);
      }
      default -> {
        return new Classified(OTHER, null);
      }
    }
  }

  private static String sender(String segment) {
    String cut = segment.length() <= MAX_SENDER ? segment : segment.substring(0, MAX_SENDER);
    try {
      return UriUtils.decode(cut, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return cut;
    }
  }

  private static @Nullable String trackingIdOrNull(String segment) {
    return PathVariables.isTrackingId(segment) ? segment : null;
  }
}

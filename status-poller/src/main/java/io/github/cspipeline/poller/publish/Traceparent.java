package io.github.cspipeline.poller.publish;

import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * W3C trace context ({@code traceparent}) for the records the poller publishes. No tracing library
 * is on the class path, so the poller continues the trace of the {@code PROCESSING} event by hand:
 * same trace id and flags, a new span id.
 */
public final class Traceparent {

  public static final String HEADER = "traceparent";

  private static final Pattern VALID =
      Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private Traceparent() {}

  /** A child of {@code parent}, or the root of a new trace when there is no valid parent. */
  public static String childOf(@Nullable String parent) {
    var spanId = randomHex(8);
    if (parent != null) {
      var candidate = parent.trim().toLowerCase(Locale.ROOT);
      if (VALID.matcher(candidate).matches()) {
        return "00-" + candidate.substring(3, 35) + "-" + spanId + "-" + candidate.substring(53);
      }
    }
    return "00-" + randomHex(16) + "-" + spanId + "-01";
  }

  private static String randomHex(int bytes) {
    var random = new byte[bytes];
    do {
      ThreadLocalRandom.current().nextBytes(random);
    } while (isZero(random));
    return HexFormat.of().formatHex(random);
  }

  private static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}

package io.github.cspipeline.model;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A W3C trace context {@code traceparent} (<a href="https://www.w3.org/TR/trace-context/">Trace
 * Context</a>), as every record on the pipeline's topics carries it in the header of the same name:
 * {@code 00-<trace-id>-<parent-id>-<flags>}, lower-case hex. Only reads and checks the value; spans
 * are made by the applications' tracer.
 *
 * @param version two hex digits, {@code 00} today
 * @param traceId 32 hex digits, not all zero: the same along the whole trace
 * @param parentId 16 hex digits, not all zero: the span that sent the record
 * @param flags two hex digits; bit 0 says whether the trace is sampled (recorded)
 */
public record Traceparent(String version, String traceId, String parentId, String flags) {

  /** The header name on HTTP requests and Kafka records. */
  public static final String HEADER = "traceparent";

  private static final Pattern FORMAT =
      Pattern.compile(
          "(?<version>[0-9a-f]{2})-(?<trace>[0-9a-f]{32})-(?<parent>[0-9a-f]{16})-(?<flags>[0-9a-f]{2})"
              + "(?<rest>-.*)?");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_PARENT = "0".repeat(16);

  /**
   * The value if it is a valid {@code traceparent}: version {@code 00} exactly as specified; a
   * later version may carry more fields after the four (ignored here); {@code ff} and all-zero ids
   * are invalid.
   */
  public static Optional<Traceparent> parse(@Nullable String value) {
    if (value == null) {
      return Optional.empty();
    }
    var match = FORMAT.matcher(value.trim());
    if (!match.matches()) {
      return Optional.empty();
    }
    var version = match.group("version");
    var rest = match.group("rest");
    if (version.equals("ff") || (version.equals("00") && rest != null)) {
      return Optional.empty();
    }
    var traceId = match.group("trace");
    var parentId = match.group("parent");
    if (traceId.equals(ZERO_TRACE) || parentId.equals(ZERO_PARENT)) {
      return Optional.empty();
    }
    return Optional.of(new Traceparent(version, traceId, parentId, match.group("flags")));
  }

  /** The record's {@code traceparent} header (the last one), if present and valid. */
  public static Optional<Traceparent> of(Headers headers) {
    var header = headers.lastHeader(HEADER);
    return header == null || header.value() == null
        ? Optional.empty()
        : parse(new String(header.value(), StandardCharsets.UTF_8));
  }

  /** Whether the trace is sampled: its spans are recorded and exported. */
  public boolean sampled() {
    return (Integer.parseInt(flags, 16) & 1) == 1;
  }

  /** The header value. */
  @Override
  public String toString() {
    return version + "-" + traceId + "-" + parentId + "-" + flags;
  }
}

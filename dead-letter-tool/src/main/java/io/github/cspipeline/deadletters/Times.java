package io.github.cspipeline.deadletters;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Points in time as an operator types them: an ISO instant, or how long ago. */
final class Times {

  private static final Pattern AGO =
      Pattern.compile("(\\d+)\\s*(s|m|h|d)(?:\\s+ago)?", Pattern.CASE_INSENSITIVE);

  private Times() {}

  /**
   * @param text {@code 2026-12-02T10:15:00Z}, {@code 2026-12-02T11:15:00+01:00}, {@code 2h ago},
   *     {@code 90m}, {@code 1d}, or an ISO duration ({@code PT2H}), each before now
   * @throws IllegalArgumentException none of these
   */
  static Instant parse(String text, Clock clock) {
    var trimmed = text.trim();
    var ago = AGO.matcher(trimmed);
    if (ago.matches()) {
      var amount = Long.parseLong(ago.group(1));
      var unit =
          switch (ago.group(2).toLowerCase(Locale.ROOT)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
      return clock.instant().minus(unit);
    }
    try {
      if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
        return clock.instant().minus(Duration.parse(trimmed));
      }
      return OffsetDateTime.parse(trimmed).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is neither an ISO instant (2026-12-02T10:15:00Z) nor a time ago (2h ago, 30m,"
              + " 1d, PT2H)");
    }
  }
}

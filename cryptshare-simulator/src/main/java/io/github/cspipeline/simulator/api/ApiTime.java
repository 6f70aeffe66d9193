package io.github.cspipeline.simulator.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** Timestamps as Cryptshare writes them: ISO 8601 with 'T' separator and numeric offset. */
public final class ApiTime {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

  private ApiTime() {}

  public static @Nullable String format(@Nullable Instant instant) {
    return instant == null
        ? null
        : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC).format(FORMAT);
  }

  public static Instant parse(String field, String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.invalid(field);
    }
  }
}

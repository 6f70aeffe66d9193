package io.github.cspipeline.deadletters;

import io.github.cspipeline.model.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** How dead letters are printed: a table for {@code list}, everything for {@code show}. */
final class Output {

  static final String REDACTED = "<redacted>";

  private static final int MAX_KEY = 40;
  private static final int MAX_REASON = 80;

  // No header of the pipeline carries a secret (the caller's token reaches Kafka only encrypted,
  // as a command's credential), but a foreign producer's might.
  private static final Pattern SECRET_HEADER =
      Pattern.compile("(?i).*(authorization|token|secret|password|credential|api[-_]?key).*");

  private Output() {}

  /** One row per dead letter, columns aligned. */
  static List<String> table(List<DeadLetter> letters, Map<String, Replays.Marker> markers) {
    var rows = new ArrayList<List<String>>();
    rows.add(List.of("DEAD LETTER", "DEAD-LETTERED AT", "KEY", "FROM", "REASON", "REPLAYED"));
    for (var letter : letters) {
      var marker = markers.get(letter.id());
      rows.add(
          List.of(
              letter.label(),
              time(letter.deadLetteredAt()),
              shorten(String.valueOf(letter.keyText()), MAX_KEY),
              String.valueOf(letter.originalTopic()),
              shorten(letter.reason(), MAX_REASON),
              marker == null ? "-" : time(marker.replayedAt())));
    }
    var widths = new int[rows.getFirst().size()];
    for (var row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    return rows.stream()
        .map(
            row -> {
              var line = new StringBuilder();
              for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
              }
              return line.toString();
            })
        .toList();
  }

  /** Everything about one dead letter; the value pretty-printed, its credential redacted. */
  static List<String> details(
      DeadLetter letter, Replays.@Nullable Marker marker, boolean stackTrace) {
    var lines = new ArrayList<String>();
    lines.add(letter.label());
    lines.add("  dead-lettered at  " + time(letter.deadLetteredAt()));
    lines.add("  key               " + letter.keyText());
    lines.add(
        "  from              "
            + letter.originalTopic()
            + letter.originalPartition().map(p -> "-" + p).orElse("")
            + letter.originalOffset().map(o -> "@" + o).orElse("")
            + letter.originalTimestamp().map(t -> " (" + time(t) + ")").orElse(""));
    lines.add("  reason            " + oneLine(letter.reason()));
    lines.add(
        "  replayed          "
            + (marker == null ? "no" : time(marker.replayedAt()) + " to " + marker.target()));
    lines.add("  headers");
    var width = letter.headers().stream().mapToInt(h -> h.key().length()).max().orElse(0) + 2;
    for (var header : letter.headers()) {
      var name = header.key();
      String value;
      if (name.equals(DeadLetter.EXCEPTION_STACKTRACE) && !stackTrace) {
        value = "(" + text(header.value()).lines().count() + " lines; --stacktrace prints them)";
      } else if (name.equals(DeadLetter.EXCEPTION_STACKTRACE)) {
        value = "\n" + text(header.value()).indent(6).stripTrailing();
      } else {
        value = headerValue(name, header.value());
      }
      lines.add("    " + pad(name, width) + value);
    }
    lines.add("  value");
    value(letter.value()).lines().forEach(l -> lines.add("    " + l));
    return lines;
  }

  static String headerValue(String name, byte @Nullable [] value) {
    if (value == null) {
      return "(null)";
    }
    if (SECRET_HEADER.matcher(name).matches()) {
      return REDACTED;
    }
    // Spring Kafka writes these as big-endian binary numbers.
    if (name.equals(DeadLetter.ORIGINAL_PARTITION) && value.length == Integer.BYTES) {
      return Integer.toString(ByteBuffer.wrap(value).getInt());
    }
    if ((name.equals(DeadLetter.ORIGINAL_OFFSET) || name.equals(DeadLetter.ORIGINAL_TIMESTAMP))
        && value.length == Long.BYTES) {
      var number = ByteBuffer.wrap(value).getLong();
      return name.equals(DeadLetter.ORIGINAL_TIMESTAMP)
          ? number + " (" + time(Instant.ofEpochMilli(number)) + ")"
          : Long.toString(number);
    }
    return oneLine(text(value));
  }

  /**
   * The value as indented JSON with every {@code credential} field redacted (a command's credential
   * is encrypted, but has no business on a screen); text as it is; other bytes as a count.
   */
  static String value(byte @Nullable [] value) {
    if (value == null) {
      return "(null)";
    }
    try {
      var json = WireFormat.mapper().readTree(value);
      if (json.isContainer()) {
        redact(json);
        return WireFormat.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
      }
    } catch (JacksonException e) {
      // Not JSON (the reason a record was dead-lettered, perhaps): shown as text below.
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return "(" + value.length + " bytes, not UTF-8 text)";
    }
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (var name : List.copyOf(object.propertyNames())) {
        var child = object.get(name);
        if (name.toLowerCase(Locale.ROOT).equals("credential") && !child.isNull()) {
          object.put(name, REDACTED);
        } else {
          redact(child);
        }
      }
    } else if (node.isArray()) {
      node.forEach(Output::redact);
    }
  }

  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static String shorten(String text, int max) {
    var line = oneLine(text);
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }

  private static String oneLine(String text) {
    return text.strip().replaceAll("\\s*\\R\\s*", " | ");
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
  }
}

package io.github.cspipeline.deadletters;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which dead letters a command acts on. All given criteria must hold; none given selects all.
 *
 * @param positions dead letters named one by one; empty: any
 * @param from dead-lettered at or after
 * @param to dead-lettered before
 * @param key the record key, exactly
 * @param reason found (case-insensitive) in the reason ({@link DeadLetter#reason()})
 */
record Selection(
    List<Position> positions,
    @Nullable Instant from,
    @Nullable Instant to,
    @Nullable String key,
    @Nullable Pattern reason) {

  static final Selection ALL = new Selection(List.of(), null, null, null, null);

  Selection {
    positions = List.copyOf(positions);
  }

  boolean isAll() {
    return equals(ALL);
  }

  boolean matches(DeadLetter letter) {
    return (positions.isEmpty() || positions.stream().anyMatch(p -> p.matches(letter)))
        && (from == null || !letter.deadLetteredAt().isBefore(from))
        && (to == null || letter.deadLetteredAt().isBefore(to))
        && (key == null || key.equals(letter.keyText()))
        && (reason == null || reason.matcher(letter.reason()).find());
  }

  static @Nullable Pattern reasonPattern(@Nullable String regex) {
    return regex == null ? null : Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    // Patterns have no equality of their own.
    return other instanceof Selection s
        && positions.equals(s.positions)
        && Objects.equals(from, s.from)
        && Objects.equals(to, s.to)
        && Objects.equals(key, s.key)
        && Objects.equals(patternOf(reason), patternOf(s.reason));
  }

  @Override
  public int hashCode() {
    return Objects.hash(positions, from, to, key, patternOf(reason));
  }

  private static @Nullable String patternOf(@Nullable Pattern pattern) {
    return pattern == null ? null : pattern.pattern();
  }

  /**
   * One dead letter named on the command line: {@code <topic>-<partition>@<offset>}, as {@code
   * list} prints it, or {@code <partition>@<offset>} of any topic read.
   */
  record Position(@Nullable String topic, int partition, long offset) {

    static Position parse(String text) {
      var at = text.lastIndexOf('@');
      if (at > 0) {
        var dash = text.lastIndexOf('-', at);
        try {
          var offset = Long.parseLong(text.substring(at + 1));
          if (dash < 0) {
            return new Position(null, Integer.parseInt(text.substring(0, at)), offset);
          }
          return new Position(
              text.substring(0, dash), Integer.parseInt(text.substring(dash + 1, at)), offset);
        } catch (NumberFormatException e) {
          // Falls through to the message below.
        }
      }
      throw new IllegalArgumentException(
          "'"
              + text
              + "' names no dead letter: write <topic>-<partition>@<offset> (as list prints it)"
              + " or <partition>@<offset>");
    }

    boolean matches(DeadLetter letter) {
      return (topic == null || topic.equals(letter.topic()))
          && partition == letter.partition()
          && offset == letter.offset();
    }
  }
}

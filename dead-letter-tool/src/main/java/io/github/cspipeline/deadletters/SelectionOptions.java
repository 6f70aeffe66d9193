package io.github.cspipeline.deadletters;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Which dead letters: named ones, and filters. */
final class SelectionOptions {

  @Parameters(
      paramLabel = "DEAD-LETTER",
      arity = "0..*",
      description =
          "Dead letters by position: <topic>-<partition>@<offset> (as list prints them), or"
              + " <partition>@<offset>.")
  List<String> positions = new ArrayList<>();

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description =
          "Dead-lettered at or after TIME: an ISO instant (2026-12-02T10:15:00Z) or a time ago"
              + " (2h ago, 30m, 1d, PT2H).")
  @Nullable String from;

  @Option(names = "--to", paramLabel = "TIME", description = "Dead-lettered before TIME.")
  @Nullable String to;

  @Option(names = "--key", paramLabel = "KEY", description = "Record key (a tracking id), exactly.")
  @Nullable String key;

  @Option(
      names = "--reason",
      paramLabel = "REGEX",
      description =
          "Found in the reason (cryptshare_dlt-reason, else kafka_dlt-exception-message),"
              + " case-insensitive.")
  @Nullable String reason;

  Selection selection(Clock clock) {
    return new Selection(
        positions.stream().map(Selection.Position::parse).toList(),
        from == null ? null : Times.parse(from, clock),
        to == null ? null : Times.parse(to, clock),
        key,
        Selection.reasonPattern(reason));
  }
}

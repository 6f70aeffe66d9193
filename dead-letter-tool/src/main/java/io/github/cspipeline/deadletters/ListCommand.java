package io.github.cspipeline.deadletters;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "One line per dead letter: where it is, when, key, original topic, reason, replayed.")
final class ListCommand extends SelectionCommand {

  @Override
  int run(PrintWriter out, Kafka kafka, Selection selection) {
    var scan = scan(kafka, selection);
    if (!scan.selected().isEmpty()) {
      Output.table(scan.selected(), scan.markers()).forEach(out::println);
    }
    var replayed = scan.selected().stream().filter(d -> scan.markers().containsKey(d.id())).count();
    out.printf(
        "listed %d (replayed already %d), skipped (filter) %d; read %s%n",
        scan.selected().size(), replayed, scan.skipped(), scan.source());
    return DeadLetterTool.OK;
  }
}

package io.github.cspipeline.deadletters;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description =
        "Everything about the selected dead letters: headers, and the value pretty-printed. A"
            + " command's credential is shown as <redacted>, as are headers that look secret.")
final class ShowCommand extends SelectionCommand {

  @Option(names = "--stacktrace", description = "Print kafka_dlt-exception-stacktrace in full.")
  boolean stackTrace;

  @Override
  int run(PrintWriter out, Kafka kafka, Selection selection) {
    var scan = scan(kafka, selection);
    for (var letter : scan.selected()) {
      Output.details(letter, scan.markers().get(letter.id()), stackTrace).forEach(out::println);
      out.println();
    }
    out.printf(
        "shown %d, skipped (filter) %d; read %s%n",
        scan.selected().size(), scan.skipped(), scan.source());
    return DeadLetterTool.OK;
  }
}

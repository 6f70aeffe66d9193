package io.github.cspipeline.deadletters;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description =
        "Everything about the selected dead letters: headers, and the value pretty-printed. A"
            + " command's credential is shown as <redacted>, as are headers that look secret.")
final class ShowCommand implements Callable<Integer> {

  @ParentCommand DeadLetterTool tool;
  @Mixin KafkaOptions kafkaOptions;
  @Mixin SelectionOptions selectionOptions;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--stacktrace", description = "Print kafka_dlt-exception-stacktrace in full.")
  boolean stackTrace;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var selection = selectionOptions.selection(tool.clock);
    try (var kafka = kafkaOptions.connect()) {
      var scan = Scan.of(kafka, kafkaOptions, selection);
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
}

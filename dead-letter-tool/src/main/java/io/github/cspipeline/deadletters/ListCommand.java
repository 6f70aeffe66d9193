package io.github.cspipeline.deadletters;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "One line per dead letter: where it is, when, key, original topic, reason, replayed.")
final class ListCommand implements Callable<Integer> {

  @ParentCommand DeadLetterTool tool;
  @Mixin KafkaOptions kafkaOptions;
  @Mixin SelectionOptions selectionOptions;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var selection = selectionOptions.selection(tool.clock);
    try (var kafka = kafkaOptions.connect()) {
      var scan = Scan.of(kafka, kafkaOptions, selection);
      if (!scan.selected().isEmpty()) {
        Output.table(scan.selected(), scan.markers()).forEach(out::println);
      }
      var replayed =
          scan.selected().stream().filter(d -> scan.markers().containsKey(d.id())).count();
      out.printf(
          "listed %d (replayed already %d), skipped (filter) %d; read %s%n",
          scan.selected().size(), replayed, scan.skipped(), scan.source());
      return DeadLetterTool.OK;
    }
  }
}

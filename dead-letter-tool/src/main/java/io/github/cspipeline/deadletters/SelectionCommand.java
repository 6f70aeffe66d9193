package io.github.cspipeline.deadletters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand that works on the selected dead letters: the options every one of them takes
 * (picocli reads the annotated fields of a superclass too), and the connection to Kafka.
 */
abstract class SelectionCommand implements Callable<Integer> {

  @ParentCommand DeadLetterTool tool;
  @Mixin KafkaOptions kafkaOptions;
  @Mixin SelectionOptions selectionOptions;
  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    var selection = selection();
    try (var kafka = kafkaOptions.connect()) {
      return run(spec.commandLine().getOut(), kafka, selection);
    }
  }

  /** The selection of the options; a command refuses one it cannot take here, before connecting. */
  Selection selection() {
    return selectionOptions.selection(tool.clock);
  }

  /** The dead letters of the topics read, with those the selection picks. */
  final Scan scan(Kafka kafka, Selection selection) {
    return Scan.of(kafka, kafkaOptions, selection);
  }

  /** Runs the command; answers the exit code. */
  abstract int run(PrintWriter out, Kafka kafka, Selection selection);
}

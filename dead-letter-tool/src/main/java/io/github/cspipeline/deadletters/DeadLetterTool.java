package io.github.cspipeline.deadletters;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar dead-letter-tool.jar list|show|replay ...}: the operator's tool for the
 * pipeline's dead-letter topics (runbook: docs/operations/dead-letters.md).
 *
 * <p>Exit codes: {@value #OK} done (also when there was nothing to do, or everything was replayed
 * already); {@value #FAILED} Kafka failed or refused (a replay in progress is rolled back); {@value
 * #USAGE} wrong arguments; {@value #NOT_REPLAYABLE} some selected dead letters cannot be replayed
 * (no original topic, or it does not exist); the others were.
 */
@Command(
    name = "dead-letter-tool",
    mixinStandardHelpOptions = true,
    version = "dead-letter-tool (cryptshare-pipeline)",
    description =
        "Lists, shows and replays the records the pipeline set aside on its dead-letter topics. A"
            + " replay sends a dead letter to the topic it came from, with its key, value and"
            + " headers (without the kafka_dlt-* ones), once: a second replay of it is a no-op."
            + " Runbook: docs/operations/dead-letters.md.",
    subcommands = {ListCommand.class, ShowCommand.class, ReplayCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done (also: nothing to do, all replayed already)",
      "1:Kafka failed or refused; a replay in progress was rolled back",
      "2:wrong arguments",
      "3:some selected dead letters cannot be replayed (see the output); the others were"
    })
public final class DeadLetterTool {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int NOT_REPLAYABLE = 3;

  // Each module owns its dead-letter topic's name (common-model has only the public topics); these
  // are their defaults.

  /** The transfer-worker's dead letters: commands it could not read or act on. */
  static final String WORKER_DEAD_LETTERS = "cryptshare.transfer-worker.dlt";

  /** The status-poller's dead letters: events it could not read or act on. */
  static final String POLLER_DEAD_LETTERS = "cryptshare.status-poller.dlt";

  /** The example event consumer's dead letters (examples/event-consumer). */
  static final String EXAMPLE_CONSUMER_DEAD_LETTERS = "cryptshare.example-consumer.dlt";

  /** The dead-letter topics read when no {@code --topic} is given (those that exist). */
  static final List<String> KNOWN_DEAD_LETTER_TOPICS =
      List.of(WORKER_DEAD_LETTERS, POLLER_DEAD_LETTERS, EXAMPLE_CONSUMER_DEAD_LETTERS);

  final Clock clock;

  DeadLetterTool(Clock clock) {
    this.clock = clock;
  }

  public static void main(String[] args) {
    System.exit(
        execute(
            Clock.systemUTC(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            args));
  }

  /**
   * Runs one command as {@code main} would, printing to {@code out} and {@code err}.
   *
   * @return the exit code
   */
  public static int execute(Clock clock, PrintWriter out, PrintWriter err, String... args) {
    var commandLine = new CommandLine(new DeadLetterTool(clock));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof ToolException || e instanceof IllegalArgumentException) {
            line.getErr().println("error: " + e.getMessage());
            line.getErr().flush();
            return e instanceof ToolException ? FAILED : USAGE;
          }
          throw e;
        });
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }
}

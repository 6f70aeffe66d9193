package io.github.cspipeline.deadletters;

import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Sends the selected dead letters to the topics they came from (original key, value and"
            + " headers, without kafka_dlt-* and cryptshare_dlt-*), each together with a marker on"
            + " the replays topic in one Kafka transaction. A dead letter replayed before is not"
            + " sent again. Needs a selection (dead letters, --from/--to/--key/--reason) or"
            + " --all.")
final class ReplayCommand extends SelectionCommand {

  @Option(names = "--dry-run", description = "Say what would be replayed; send nothing.")
  boolean dryRun;

  @Option(names = "--all", description = "Replay every dead letter of the topics read.")
  boolean all;

  @Option(
      names = "--force",
      description =
          "Replay also dead letters replayed before. The consumers must absorb the copy (the"
              + " pipeline's do; see the runbook).")
  boolean force;

  @Option(
      names = "--transactional-id",
      paramLabel = "ID",
      defaultValue = "cryptshare-dead-letter-tool",
      description =
          "Kafka transactional.id of replays (default ${DEFAULT-VALUE}); a run fences an earlier"
              + " one with the same id that is still running.")
  String transactionalId = "cryptshare-dead-letter-tool";

  @Override
  Selection selection() {
    var selection = super.selection();
    if (selection.isAll() && !all) {
      throw new IllegalArgumentException(
          "replay needs a selection (dead letters, --from, --to, --key, --reason) or --all");
    }
    return selection;
  }

  @Override
  int run(PrintWriter out, Kafka kafka, Selection selection) {
    if (dryRun) {
      return replay(out, scan(kafka, selection), null);
    }
    kafka.createReplaysTopic(kafkaOptions.replaysTopic);
    // The markers are read after the producer's transactions are initialised: every earlier
    // run's replays are committed or aborted by then, so their markers are all there.
    try (var replayer = kafka.replayer(transactionalId, kafkaOptions.replaysTopic)) {
      return replay(out, scan(kafka, selection), replayer);
    }
  }

  private int replay(PrintWriter out, Scan scan, Kafka.@Nullable Replayer replayer) {
    int replayed = 0;
    int already = 0;
    int cannot = 0;
    var stopped = true;
    try {
      for (var letter : scan.selected()) {
        var marker = scan.markers().get(letter.id());
        var target = letter.originalTopic();
        if (marker != null && !force) {
          already++;
          out.printf(
              "already replayed  %s  (at %s to %s); not sent again%n",
              letter.label(), Output.time(marker.replayedAt()), marker.target());
          continue;
        }
        if (target == null || !scan.partitions().containsKey(target)) {
          cannot++;
          out.printf(
              "cannot replay     %s  (%s)%n",
              letter.label(),
              letter.originalTopic() == null
                  ? "no " + DeadLetter.ORIGINAL_TOPIC + " header"
                  : "topic " + letter.originalTopic() + " does not exist");
          continue;
        }
        // The original partition, while the topic still has it: a consumer that keeps state per
        // partition (the worker) finds what it knows of the record's key there.
        var count = scan.partitions().get(target);
        Integer partition = letter.originalPartition().filter(p -> p < count).orElse(null);
        if (replayer == null) {
          replayed++;
          out.printf(
              "would replay      %s  to %s  key %s%s%n",
              letter.label(),
              target + (partition == null ? "" : "-" + partition),
              letter.keyText(),
              marker == null
                  ? ""
                  : " (replayed before, at " + Output.time(marker.replayedAt()) + ")");
          continue;
        }
        var done = replayer.replay(letter, target, partition, tool.clock.instant());
        replayed++;
        out.printf(
            "replayed          %s  to %s  key %s%n",
            letter.label(), done.target(), letter.keyText());
      }
      stopped = false;
    } finally {
      // Also when Kafka stopped the run: what was replayed until then is remembered.
      out.printf(
          "%s %d, already replayed %d, cannot replay %d, skipped (filter) %d; read %s%s%n",
          replayer == null ? "would replay" : "replayed",
          replayed,
          already,
          cannot,
          scan.skipped(),
          scan.source(),
          replayer == null ? " (dry run: nothing sent)" : stopped ? " (stopped early)" : "");
    }
    return cannot > 0 ? DeadLetterTool.NOT_REPLAYABLE : DeadLetterTool.OK;
  }
}

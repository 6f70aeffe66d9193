package io.github.cspipeline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.deadletters.DeadLetterTool;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dead-letter tool on the running pipeline (ADR 029). A replay gives a dead-lettered command
 * the one terminal event it never had; no replay, repeated or forced, gives a transfer a second
 * one: the tool remembers what it replayed, and the worker absorbs any copy of a command it knows.
 */
class DeadLetterReplayIT {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Pattern REPLAYED =
      Pattern.compile("replayed {10}\\S+  to (\\S+)-(\\d+)@(\\d+)  key ");

  /** Another key under the id the gateway seals credentials with: they do not decrypt. */
  private static final String WRONG_CREDENTIAL_KEY =
      Base64.getEncoder().encodeToString("another-credential-key-32-bytes!".getBytes());

  @RegisterExtension static final Pipeline pipeline = Pipeline.onEmbeddedKafka();

  @Test
  void a_command_dead_lettered_by_a_bug_ends_once_when_replayed_after_the_fix() {
    var trackingId = TransferScenarios.newTrackingId();
    pipeline.restartWorker(Map.of(IntakeBug.TRACKING_ID, trackingId), IntakeBug.class);

    assertThat(pipeline.finalize("alice@example.com", trackingId).statusCode()).isEqualTo(202);
    // The dead letter is written in the intake transaction: once it is there, the command was
    // taken as far as it goes, and whatever that published would be there too.
    await()
        .atMost(PATIENCE)
        .until(() -> tool("list", "--key", trackingId).out().contains("listed 1 "));
    assertThat(pipeline.eventsOf(trackingId)).as("dead letter only, no event").isEmpty();
    System.out.println("DeadLetterReplayIT list output:\n" + tool("list").out());
    var show = tool("show", "--key", trackingId);
    System.out.println("DeadLetterReplayIT show output:\n" + show.out());
    assertThat(show.out())
        .contains("from              " + Topics.FINALIZE_COMMANDS)
        .contains("ClassCastException")
        .contains("traceparent");

    // The fix is deployed.
    pipeline.restartWorker(Map.of());
    var replay = tool("replay", "--key", trackingId);
    System.out.println("DeadLetterReplayIT replay output:\n" + replay.out());

    assertThat(replay.code()).isZero();
    assertThat(replay.out()).contains("replayed 1, already replayed 0, cannot replay 0");
    assertThat(awaitTerminal(trackingId))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING, TransferState.ACTIVE);

    var again = tool("replay", "--key", trackingId);
    System.out.println("DeadLetterReplayIT second replay output:\n" + again.out());
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("replayed 0, already replayed 1, cannot replay 0");

    // Past the tool's memory: the worker knows the transfer and publishes nothing.
    var forced = tool("replay", "--key", trackingId, "--force");
    assertThat(forced.out()).contains("replayed 1, already replayed 0");
    awaitTakenIn(forced.out());
    assertThat(duplicates()).isEqualTo(1);
    assertThat(pipeline.eventsOf(trackingId))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING, TransferState.ACTIVE);
  }

  @Test
  void a_replayed_command_whose_transfer_was_rejected_gives_no_second_terminal_event() {
    var trackingId = TransferScenarios.newTrackingId();
    pipeline.restartWorker(Map.of("cryptshare.worker.credential-keys.e2e", WRONG_CREDENTIAL_KEY));
    var token = pipeline.simulator.token("carol@example.com", Pipeline.CLIENT_ID);

    assertThat(pipeline.finalizeWithToken("carol@example.com", trackingId, token).statusCode())
        .isEqualTo(202);
    var rejected = awaitTerminal(trackingId);
    assertThat(rejected).extracting(TransferEvent::state).containsExactly(TransferState.REJECTED);
    assertThat(rejected.getFirst().error().code()).isEqualTo("CREDENTIAL_INVALID");
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                tool("list", "--key", trackingId, "--reason", "credential")
                    .out()
                    .contains("listed 1 "));

    // The key is put right, and someone replays the dead letter.
    pipeline.restartWorker(Map.of());
    var replay = tool("replay", "--key", trackingId);
    assertThat(replay.out()).contains("replayed 1, already replayed 0");
    awaitTakenIn(replay.out());

    assertThat(duplicates()).isEqualTo(1);
    assertThat(pipeline.eventsOf(trackingId))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.REJECTED);
  }

  private record Run(int code, String out, String err) {}

  private static Run tool(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap-servers", pipeline.bootstrapServers()));
    var code =
        DeadLetterTool.execute(
            Clock.systemUTC(),
            new PrintWriter(out),
            new PrintWriter(err),
            all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** Waits for the terminal event, then a moment longer so that a duplicate would show. */
  private static List<TransferEvent> awaitTerminal(String trackingId) {
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.eventsOf(trackingId).stream().anyMatch(e -> e.state().isTerminal()));
    await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
    return pipeline.eventsOf(trackingId);
  }

  /**
   * Waits until the worker has committed its intake of the replayed record: whatever it publishes
   * for a command it knows (nothing, or a re-announcement) is committed with that.
   */
  private static void awaitTakenIn(String toolOutput) {
    var replayed = REPLAYED.matcher(toolOutput);
    assertThat(replayed.find()).as(toolOutput).isTrue();
    var partition = new TopicPartition(replayed.group(1), Integer.parseInt(replayed.group(2)));
    var offset = Long.parseLong(replayed.group(3));
    try (var admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers()))) {
      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                var committed =
                    admin
                        .listConsumerGroupOffsets("transfer-worker")
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(partition);
                return committed != null && committed.offset() > offset;
              });
    }
  }

  /** Commands the running worker found it knew already (not finalized again, nothing published). */
  private static double duplicates() {
    var counter =
        pipeline
            .services()
            .get("transfer-worker")
            .getBean(MeterRegistry.class)
            .find("cryptshare.worker.finalize")
            .tags("outcome", "duplicate")
            .counter();
    return counter == null ? 0 : counter.count();
  }
}

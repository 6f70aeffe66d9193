package io.github.cspipeline.worker;

import static io.github.cspipeline.worker.Workers.command;
import static io.github.cspipeline.worker.Workers.send;
import static io.github.cspipeline.worker.Workers.trackingIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * A worker process is killed (SIGKILL: no shutdown hook, no revocation, nothing flushed) after
 * Cryptshare finalized a transfer whose answer the worker never got; a new instance takes over once
 * the group notices.
 */
@EmbeddedKafka(partitions = 3, topics = Topics.FINALIZE_COMMANDS)
class CrashIT extends SimulatorBackedIT {

  static final String SENDER = "crash@example.com";
  // The broker's minimum: the killed member leaves the group after this.
  static final String SESSION_TIMEOUT = "spring.kafka.consumer.properties.session.timeout.ms=6000";
  static final List<String> SETTINGS =
      Stream.concat(LATE_ANSWER_SETTINGS.stream(), Stream.of(SESSION_TIMEOUT)).toList();

  /** The worker in a JVM of its own, with the test's class path. */
  static Process workerProcess() throws Exception {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TransferWorkerApplication.class.getName());
    command.add("--spring.config.name=transfer-worker-it-has-no-config-file");
    command.add("--spring.kafka.bootstrap-servers=" + bootstrapServers);
    command.add("--cryptshare.servers.default.base-url=" + simulator.baseUrl());
    command.add("--cryptshare.servers.default.client-id=" + WorkerFixtures.CLIENT_ID);
    command.add("--management.server.port=0");
    SETTINGS.forEach(s -> command.add("--" + s));
    var log = new File("target/crash-it-worker.log");
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  @Test
  void a_killed_worker_leaves_no_transfer_behind_and_none_is_finalized_twice() throws Exception {
    var decided = trackingIds(1).getFirst();
    var inFlight = trackingIds(1).getFirst();
    var process = workerProcess();
    ConfigurableApplicationContext successor = null;
    try {
      // Kept: repeated below as a redelivery (same command id). A new command with a new id
      // would be a new acceptance, answered by announcing the decision again (ADR 024).
      var decidedCommand = command(SENDER, decided);
      var inFlightCommand = command(SENDER, inFlight);
      send(commands, decidedCommand);
      commands.flush();
      assertThat(events.awaitEvent(decided, Duration.ofSeconds(120)).state())
          .isEqualTo(TransferState.PROCESSING);

      simulator.faults("{\"latency\": \"PT1.5S\"}");
      send(commands, inFlightCommand);
      commands.flush();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> simulator.finalizeCalls(inFlight) == 1 && simulator.state(inFlight) != null);
      process.destroyForcibly().waitFor();
      var killed = Instant.now();
      assertThat(events.eventsOf(inFlight)).as("no decision before the crash").isEmpty();

      simulator.noFaults();
      successor =
          Workers.start(bootstrapServers, simulator.baseUrl(), SETTINGS.toArray(String[]::new));
      var event = events.awaitEvent(inFlight, Duration.ofSeconds(90));
      var resumedAfter = Duration.between(killed, Instant.now());

      send(commands, decidedCommand);
      send(commands, inFlightCommand);
      var marker = trackingIds(1).getFirst();
      send(commands, command(SENDER, marker));
      commands.flush();
      var resumed = successor;
      await().atMost(Duration.ofSeconds(60)).until(() -> RestartIT.duplicates(resumed) >= 2);
      events.awaitEvent(marker, Duration.ofSeconds(60));

      assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
      assertThat(simulator.finalizeCalls(inFlight)).isEqualTo(1);
      assertThat(simulator.finalizeCalls(decided)).isEqualTo(1);
      assertThat(events.eventsOf(inFlight))
          .extracting(TransferEvent::state)
          .containsExactly(TransferState.PROCESSING);
      assertThat(events.eventsOf(decided))
          .extracting(TransferEvent::state)
          .containsExactly(TransferState.PROCESSING);
      System.out.printf(
          "[measure] crash (SIGKILL) after a finalize whose answer was lost: the successor"
              + " published PROCESSING %d ms after the kill; finalizeCalls=%d, statusCalls=%d,"
              + " events=%d; repeated commands: finalizeCalls stay %d and %d%n",
          resumedAfter.toMillis(),
          simulator.finalizeCalls(inFlight),
          simulator.statusCalls(inFlight),
          events.eventsOf(inFlight).size(),
          simulator.finalizeCalls(decided),
          simulator.finalizeCalls(inFlight));
    } finally {
      process.destroyForcibly();
      if (successor != null) {
        successor.close();
      }
    }
  }
}

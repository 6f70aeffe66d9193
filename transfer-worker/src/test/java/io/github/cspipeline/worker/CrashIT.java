package io.github.cspipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.Topics;
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
    // As the test JVMs run (see test.jvmArgs in the parent pom): less CPU for compiling.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
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
    var transfers = new LostAnswer(simulator, commands, events, SENDER);
    var inFlight = transfers.inFlight;
    var process = workerProcess();
    ConfigurableApplicationContext successor = null;
    try {
      transfers.decideOneAndFinalizeTheOtherWithoutAnswer(Duration.ofSeconds(120));
      process.destroyForcibly().waitFor();
      var killed = Instant.now();
      assertThat(events.eventsOf(inFlight)).as("no decision before the crash").isEmpty();

      simulator.noFaults();
      successor =
          Workers.start(bootstrapServers, simulator.baseUrl(), SETTINGS.toArray(String[]::new));
      transfers.awaitTheSecondDecided();
      var resumedAfter = Duration.between(killed, Instant.now());

      transfers.repeatBothTo(successor);
      System.out.printf(
          "[measure] crash (SIGKILL) after a finalize whose answer was lost: the successor"
              + " published PROCESSING %d ms after the kill; %s%n",
          resumedAfter.toMillis(), transfers.counts());
    } finally {
      process.destroyForcibly();
      if (successor != null) {
        successor.close();
      }
    }
  }
}

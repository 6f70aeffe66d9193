package io.github.cspipeline.worker;

import static io.github.cspipeline.worker.Workers.command;
import static io.github.cspipeline.worker.Workers.send;
import static io.github.cspipeline.worker.Workers.trackingIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * A worker is stopped after Cryptshare finalized a transfer but before the worker learnt of it (the
 * answer timed out), so neither its event nor its decision is committed; a new instance takes over
 * from the state topic. Also: commands repeated after the restart.
 */
@EmbeddedKafka(partitions = 3, topics = Topics.FINALIZE_COMMANDS)
class RestartIT extends SimulatorBackedIT {

  static final String SENDER = "restart@example.com";

  static ConfigurableApplicationContext worker() {
    return Workers.start(
        bootstrapServers, simulator.baseUrl(), LATE_ANSWER_SETTINGS.toArray(String[]::new));
  }

  @Test
  void a_transfer_finalized_before_a_restart_is_not_finalized_again_and_ends_in_one_event() {
    var decided = trackingIds(1).getFirst();
    var inFlight = trackingIds(1).getFirst();
    var first = worker();
    ConfigurableApplicationContext second = null;
    try {
      // Kept: repeated below as a redelivery (same command id). A new command with a new id
      // would be a new acceptance, answered by announcing the decision again (ADR 024).
      var decidedCommand = command(SENDER, decided);
      var inFlightCommand = command(SENDER, inFlight);
      send(commands, decidedCommand);
      commands.flush();
      assertThat(events.awaitEvent(decided, Duration.ofSeconds(60)).state())
          .isEqualTo(TransferState.PROCESSING);

      // Answers now come after the worker's read timeout: the finalize takes effect at
      // Cryptshare, the worker sees no answer and keeps asking for the status in vain.
      simulator.faults("{\"latency\": \"PT1.5S\"}");
      send(commands, inFlightCommand);
      commands.flush();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> simulator.finalizeCalls(inFlight) == 1 && simulator.state(inFlight) != null);
      await().atMost(Duration.ofSeconds(30)).until(() -> simulator.statusCalls(inFlight) >= 1);
      var stopping = Instant.now();
      first.close();
      var stoppedAfter = Duration.between(stopping, Instant.now());
      assertThat(events.eventsOf(inFlight)).as("no decision before the restart").isEmpty();

      simulator.noFaults();
      var restarting = Instant.now();
      second = worker();
      var resumed = second;

      var event = events.awaitEvent(inFlight, Duration.ofSeconds(60));
      var resumedAfter = Duration.between(restarting, Instant.now());
      assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
      assertThat(simulator.finalizeCalls(inFlight)).isEqualTo(1);

      // Repeated commands after the restart: one decided before it, one decided across it.
      var marker = trackingIds(1).getFirst();
      send(commands, decidedCommand);
      send(commands, inFlightCommand);
      commands.flush();
      var duplicatesBefore = duplicates(resumed);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> duplicates(resumed) - duplicatesBefore >= 2);
      send(commands, command(SENDER, marker));
      commands.flush();
      events.awaitEvent(marker, Duration.ofSeconds(60));

      assertThat(simulator.finalizeCalls(decided)).isEqualTo(1);
      assertThat(simulator.finalizeCalls(inFlight)).isEqualTo(1);
      assertThat(events.eventsOf(decided))
          .extracting(TransferEvent::state)
          .containsExactly(TransferState.PROCESSING);
      assertThat(events.eventsOf(inFlight))
          .extracting(TransferEvent::state)
          .containsExactly(TransferState.PROCESSING);
      System.out.printf(
          "[measure] restart: finalize of %s took effect, answer lost, worker stopped in %d ms"
              + " without a decision; the new instance resumed it in %d ms (status check first):"
              + " finalizeCalls=%d, statusCalls=%d, events=%d; repeated commands after the"
              + " restart: finalizeCalls stay %d and %d, no new event%n",
          inFlight,
          stoppedAfter.toMillis(),
          resumedAfter.toMillis(),
          simulator.finalizeCalls(inFlight),
          simulator.statusCalls(inFlight),
          events.eventsOf(inFlight).size(),
          simulator.finalizeCalls(decided),
          simulator.finalizeCalls(inFlight));
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  static double duplicates(ConfigurableApplicationContext worker) {
    var counter =
        worker
            .getBean(io.micrometer.core.instrument.MeterRegistry.class)
            .find(io.github.cspipeline.worker.finalize.FinalizeMetrics.FINALIZE)
            .tags("outcome", "duplicate")
            .counter();
    return counter == null ? 0 : counter.count();
  }
}

package io.github.cspipeline.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
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
    var transfers = new LostAnswer(simulator, commands, events, SENDER);
    var inFlight = transfers.inFlight;
    var first = worker();
    ConfigurableApplicationContext second = null;
    try {
      transfers.decideOneAndFinalizeTheOtherWithoutAnswer(Duration.ofSeconds(60));
      // The worker sees no answer and keeps asking for the status in vain.
      await().atMost(Duration.ofSeconds(30)).until(() -> simulator.statusCalls(inFlight) >= 1);
      var stopping = Instant.now();
      first.close();
      var stoppedAfter = Duration.between(stopping, Instant.now());
      assertThat(events.eventsOf(inFlight)).as("no decision before the restart").isEmpty();

      simulator.noFaults();
      var restarting = Instant.now();
      second = worker();
      transfers.awaitTheSecondDecided();
      var resumedAfter = Duration.between(restarting, Instant.now());

      // Repeated commands after the restart: one decided before it, one decided across it.
      transfers.repeatBothTo(second);
      System.out.printf(
          "[measure] restart: finalize of %s took effect, answer lost, worker stopped in %d ms"
              + " without a decision; the new instance resumed it in %d ms (status check first):"
              + " %s%n",
          inFlight, stoppedAfter.toMillis(), resumedAfter.toMillis(), transfers.counts());
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }
}

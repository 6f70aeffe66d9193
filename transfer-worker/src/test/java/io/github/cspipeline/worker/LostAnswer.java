package io.github.cspipeline.worker;

import static io.github.cspipeline.worker.Workers.command;
import static io.github.cspipeline.worker.Workers.send;
import static io.github.cspipeline.worker.Workers.trackingIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What {@link RestartIT} and {@link CrashIT} do to a worker before it goes away, and what they ask
 * of the instance after it: one transfer decided before, one whose finalize took effect at
 * Cryptshare while its answer came after the worker's read timeout ({@link
 * SimulatorBackedIT#LATE_ANSWER_SETTINGS}), so that neither its event nor its decision is
 * committed.
 */
final class LostAnswer {

  final String decided = trackingIds(1).getFirst();
  final String inFlight = trackingIds(1).getFirst();
  // Kept: repeated after the takeover as redeliveries (same command id). A new command with a new
  // id would be a new acceptance, answered by announcing the decision again (ADR 024).
  private final FinalizeCommand decidedCommand;
  private final FinalizeCommand inFlightCommand;
  private final Simulator simulator;
  private final KafkaProducer<String, byte[]> commands;
  private final EventReader events;
  private final String sender;

  LostAnswer(
      Simulator simulator,
      KafkaProducer<String, byte[]> commands,
      EventReader events,
      String sender) {
    this.simulator = simulator;
    this.commands = commands;
    this.events = events;
    this.sender = sender;
    decidedCommand = command(sender, decided);
    inFlightCommand = command(sender, inFlight);
  }

  /**
   * Sends the first transfer and waits for its decision, then sends the second with answers late
   * and waits until its finalize took effect at Cryptshare.
   */
  void decideOneAndFinalizeTheOtherWithoutAnswer(Duration patience) {
    send(commands, decidedCommand);
    commands.flush();
    assertThat(events.awaitEvent(decided, patience).state()).isEqualTo(TransferState.PROCESSING);

    simulator.faults("{\"latency\": \"PT1.5S\"}");
    send(commands, inFlightCommand);
    commands.flush();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> simulator.finalizeCalls(inFlight) == 1 && simulator.state(inFlight) != null);
  }

  /**
   * Answers come in time again: {@code successor} (started by the caller) must decide the second
   * transfer from a status check, without finalizing it again.
   */
  TransferEvent awaitTheSecondDecided() {
    var event = events.awaitEvent(inFlight, Duration.ofSeconds(90));
    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(simulator.finalizeCalls(inFlight)).isEqualTo(1);
    return event;
  }

  /**
   * Both commands again, as redeliveries, then a new transfer: {@code successor} recognizes both as
   * known (neither finalized again nor a new event) and still handles what comes after them.
   */
  void repeatBothTo(ConfigurableApplicationContext successor) {
    var duplicatesBefore = duplicates(successor);
    send(commands, decidedCommand);
    send(commands, inFlightCommand);
    var marker = trackingIds(1).getFirst();
    send(commands, command(sender, marker));
    commands.flush();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> duplicates(successor) - duplicatesBefore >= 2);
    events.awaitEvent(marker, Duration.ofSeconds(60));

    assertThat(simulator.finalizeCalls(decided)).isEqualTo(1);
    assertThat(simulator.finalizeCalls(inFlight)).isEqualTo(1);
    assertThat(events.eventsOf(decided))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING);
    assertThat(events.eventsOf(inFlight))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING);
  }

  /**
   * What Cryptshare and the events topic saw of the two transfers, for a {@code [measure]} line.
   */
  String counts() {
    return "finalizeCalls=%d, statusCalls=%d, events=%d of the second; repeated commands:"
            .formatted(
                simulator.finalizeCalls(inFlight),
                simulator.statusCalls(inFlight),
                events.eventsOf(inFlight).size())
        + " finalizeCalls stay %d and %d, no new event"
            .formatted(simulator.finalizeCalls(decided), simulator.finalizeCalls(inFlight));
  }

  private static double duplicates(ConfigurableApplicationContext worker) {
    var counter =
        worker
            .getBean(MeterRegistry.class)
            .find(FinalizeMetrics.FINALIZE)
            .tags("outcome", "duplicate")
            .counter();
    return counter == null ? 0 : counter.count();
  }
}

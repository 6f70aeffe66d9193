package io.github.cspipeline.worker;

import static io.github.cspipeline.testkit.StubCryptshare.finalizePath;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.testkit.StubCryptshare;
import io.github.cspipeline.worker.config.WorkerProperties;
import io.github.cspipeline.worker.state.StateMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * Item 2c of issue 9: the state topic's layout (command partition modulo state partitions) must
 * never change under existing transfers. Before, raising {@code state-partitions} let the
 * KafkaAdmin grow the topic, and the transfers of some command partitions were then looked for in
 * new, empty state partitions: decisions forgotten, pending transfers stranded.
 */
@EmbeddedKafka(partitions = 4, topics = Topics.FINALIZE_COMMANDS)
class StateLayoutIT {

  // Command partition 3 maps to state partition 1 with 2 state partitions, to 3 with 4.
  static final int PARTITION = 3;

  static StubCryptshare cryptshare;
  static KafkaProducer<String, byte[]> commands;
  static EventReader events;
  static String bootstrapServers;

  @BeforeAll
  static void start(EmbeddedKafkaBroker broker) throws Exception {
    bootstrapServers = broker.getBrokersAsString();
    cryptshare = Workers.cryptshare();
    commands = Workers.commandProducer(bootstrapServers);
    events = new EventReader(bootstrapServers, Topics.TRANSFER_EVENTS);
  }

  @AfterAll
  static void stop() {
    commands.close();
    events.close();
    cryptshare.close();
  }

  static ConfigurableApplicationContext worker(int statePartitions) {
    return Workers.start(
        bootstrapServers,
        cryptshare.baseUrl(),
        "cryptshare.worker.topics.state-partitions=" + statePartitions,
        "cryptshare.worker.servers.default.retry.budget=5s");
  }

  static void send(FinalizeCommand command) {
    commands.send(
        new ProducerRecord<>(
            Topics.FINALIZE_COMMANDS,
            PARTITION,
            command.trackingId(),
            WireFormat.mapper().writeValueAsBytes(command)));
    commands.flush();
  }

  static int finalizeCalls(String trackingId) {
    return cryptshare.requests("POST", finalizePath(SENDER, trackingId)).size();
  }

  static double failedRestores(ConfigurableApplicationContext worker) {
    var counter =
        worker
            .getBean(MeterRegistry.class)
            .find(StateMetrics.READS)
            .tags("kind", "restore", "outcome", "failed")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  /** A worker with this layout reads nothing in and finalizes nothing: the commands wait. */
  static void refusesWork(int statePartitions, FinalizeCommand decided, FinalizeCommand waiting) {
    try (var worker = worker(statePartitions)) {
      send(decided);
      send(waiting);
      await().atMost(Duration.ofSeconds(60)).until(() -> failedRestores(worker) > 0);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  finalizeCalls(decided.trackingId()) == 1
                      && finalizeCalls(waiting.trackingId()) == 0);
    }
  }

  @Test
  void no_change_of_state_partitions_moves_a_transfer_away_from_its_decision() throws Exception {
    var decided = command(trackingId());
    try (var first = worker(2)) {
      send(decided);
      assertThat(events.awaitEvent(decided.trackingId(), Duration.ofSeconds(60)).state())
          .isEqualTo(TransferState.PROCESSING);
    }

    // state-partitions raised: the worker neither grows the topic nor takes the partition in.
    var waiting = command(trackingId());
    refusesWork(4, decided, waiting);
    try (var admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      assertThat(
              admin
                  .describeTopics(List.of(WorkerProperties.STATE_TOPIC))
                  .allTopicNames()
                  .get()
                  .get(WorkerProperties.STATE_TOPIC)
                  .partitions())
          .as("the worker never adds partitions to the state topic")
          .hasSize(2);

      // Partitions added by hand: the layout stays 2, the new partitions stay unused.
      admin
          .createPartitions(Map.of(WorkerProperties.STATE_TOPIC, NewPartitions.increaseTo(4)))
          .all()
          .get();
    }
    try (var same = worker(2)) {
      assertThat(events.awaitEvent(waiting.trackingId(), Duration.ofSeconds(60)).state())
          .isEqualTo(TransferState.PROCESSING);
      assertThat(finalizeCalls(decided.trackingId())).isEqualTo(1);
      assertThat(events.eventsOf(decided.trackingId()))
          .extracting(TransferEvent::state)
          .containsExactly(TransferState.PROCESSING);
    }

    // Topic grown and state-partitions raised to match: the records still say layout 2.
    var refused = command(trackingId());
    refusesWork(4, decided, refused);
  }
}

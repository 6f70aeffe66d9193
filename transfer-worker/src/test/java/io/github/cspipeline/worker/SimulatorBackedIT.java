package io.github.cspipeline.worker;

import io.github.cspipeline.model.Topics;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * What the integration tests against the Cryptshare simulator share: the simulator, a producer of
 * commands and a reader of events on the test class's embedded broker. Subclasses carry the
 * {@code @EmbeddedKafka} annotation, start their workers in a {@code @BeforeAll} of their own (run
 * after this one) and hand them to {@link #closeAfterAll}; everything is closed after the class,
 * the last registered first.
 */
abstract class SimulatorBackedIT {

  /**
   * Worker settings for tests whose finalize answers arrive after the read timeout: the finalize
   * takes effect at Cryptshare, the worker sees no answer, and the circuit must not hide that.
   */
  static final List<String> LATE_ANSWER_SETTINGS =
      List.of(
          "cryptshare.servers.default.read-timeout=1s",
          "cryptshare.worker.servers.default.retry.initial-backoff=300ms",
          "cryptshare.worker.servers.default.retry.max-backoff=1s",
          "cryptshare.worker.servers.default.retry.budget=2m",
          "cryptshare.worker.servers.default.circuit-breaker.minimum-number-of-calls=1000",
          "cryptshare.worker.servers.default.circuit-breaker.sliding-window-size=1000");

  static Simulator simulator;
  static KafkaProducer<String, byte[]> commands;
  static EventReader events;
  static String bootstrapServers;

  private static final Deque<AutoCloseable> OPEN = new ArrayDeque<>();

  @BeforeAll
  static void startSimulatorAndClients(EmbeddedKafkaBroker broker) {
    bootstrapServers = broker.getBrokersAsString();
    simulator = closeAfterAll(new Simulator());
    commands = closeAfterAll(Workers.commandProducer(bootstrapServers));
    events = closeAfterAll(new EventReader(bootstrapServers, Topics.TRANSFER_EVENTS));
  }

  /** Closes {@code resource} after the test class, before what was registered earlier. */
  static <T extends AutoCloseable> T closeAfterAll(T resource) {
    OPEN.push(resource);
    return resource;
  }

  @AfterAll
  static void closeEverything() {
    while (!OPEN.isEmpty()) {
      try {
        OPEN.pop().close();
      } catch (Exception e) {
        // Best effort: the broker goes away with the test class anyway.
      }
    }
  }
}

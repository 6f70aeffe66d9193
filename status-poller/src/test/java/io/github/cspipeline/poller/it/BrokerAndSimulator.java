package io.github.cspipeline.poller.it;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded broker and the Cryptshare simulator for a test class that starts its pollers itself.
 * Registered as a static {@code @RegisterExtension} field: started before the class's tests, closed
 * after them.
 */
final class BrokerAndSimulator implements BeforeAllCallback, AfterAllCallback {

  private final String[] simulatorProperties;
  private KafkaBroker broker;
  private SimulatorFixture simulator;

  /** {@code simulatorProperties}: simulator settings as {@code name=value}. */
  BrokerAndSimulator(String... simulatorProperties) {
    this.simulatorProperties = simulatorProperties;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = new KafkaBroker();
    simulator = new SimulatorFixture(simulatorProperties);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Closing.quietly(simulator, broker);
  }

  KafkaBroker broker() {
    return broker;
  }

  SimulatorFixture simulator() {
    return simulator;
  }

  /**
   * The settings of pollers on the events topic {@code <name>.events}, created here with {@code
   * partitions} partitions.
   */
  Map<String, String> pollerSettings(String name, int partitions) {
    broker.createTopic(PollerInstance.eventsTopic(name), partitions);
    return PollerInstance.settings(broker.bootstrapServers(), simulator.baseUrl(), name);
  }

  /** The test's view of the events topic {@code <name>.events}. */
  EventLog events(String name) {
    return new EventLog(broker.bootstrapServers(), PollerInstance.eventsTopic(name));
  }
}

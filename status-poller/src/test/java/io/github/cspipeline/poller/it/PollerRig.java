package io.github.cspipeline.poller.it;

import java.util.Map;

/**
 * What a test class against the simulator starts: a broker, the simulator, one poller watching the
 * events topic {@code <name>.events} (two partitions), and the test's view of that topic.
 */
record PollerRig(
    KafkaBroker broker, SimulatorFixture simulator, PollerInstance poller, EventLog events)
    implements AutoCloseable {

  /**
   * @param settings poller settings beyond {@link PollerInstance#settings}
   */
  static PollerRig start(String name, Map<String, String> settings) {
    var broker = new KafkaBroker();
    SimulatorFixture simulator = null;
    try {
      simulator = new SimulatorFixture();
      broker.createTopic(PollerInstance.eventsTopic(name), 2);
      var all = PollerInstance.settings(broker.bootstrapServers(), simulator.baseUrl(), name);
      all.putAll(settings);
      var poller = PollerInstance.start(all);
      return new PollerRig(
          broker,
          simulator,
          poller,
          new EventLog(broker.bootstrapServers(), PollerInstance.eventsTopic(name)));
    } catch (RuntimeException e) {
      Closing.quietly(simulator, broker);
      throw e;
    }
  }

  @Override
  public void close() {
    Closing.quietly(events, poller, simulator, broker);
  }
}

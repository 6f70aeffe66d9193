package io.github.cspipeline.poller.it;

import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** An embedded one-node KRaft broker that supports transactions, for one test class. */
public final class KafkaBroker implements AutoCloseable {

  private final EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);

  public KafkaBroker() {
    // A one-node broker must keep the transaction log on its one node.
    broker.brokerProperties(
        Map.of(
            "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1"));
    broker.afterPropertiesSet();
  }

  public String bootstrapServers() {
    return broker.getBrokersAsString();
  }

  public void createTopic(String name, int partitions) {
    broker.addTopics(new NewTopic(name, partitions, (short) 1));
  }

  @Override
  public void close() {
    broker.destroy();
  }
}

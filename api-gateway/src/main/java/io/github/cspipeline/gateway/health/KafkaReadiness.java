package io.github.cspipeline.gateway.health;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.kafka.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * {@code kafka} health, part of the readiness group: the cluster answers, and every reader has
 * caught up with its topics, so this instance answers for every transfer and can arbitrate claims.
 * An instance that is not ready gets no traffic instead of answering 404 for transfers it has not
 * read yet.
 */
@Component("kafka")
class KafkaReadiness extends AbstractHealthIndicator {

  private final Admin admin;
  private final List<TopicReader> readers;
  private final Duration timeout;

  KafkaReadiness(Admin admin, List<TopicReader> readers, GatewayProperties properties) {
    super("Kafka health check failed");
    this.admin = admin;
    this.readers = readers;
    this.timeout = properties.gateway().sendTimeout();
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    var nodes =
        admin
            .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
            .nodes()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    boolean caughtUp = readers.stream().allMatch(TopicReader::caughtUp);
    builder.withDetail("brokers", nodes.size()).withDetail("readersCaughtUp", caughtUp);
    if (nodes.isEmpty() || !caughtUp) {
      builder.down();
    } else {
      builder.up();
    }
  }
}

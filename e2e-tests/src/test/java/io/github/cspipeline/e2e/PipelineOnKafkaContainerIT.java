package io.github.cspipeline.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The ACTIVE path against Kafka in a container (the image users run in production). Runs where
 * Docker exists and is skipped elsewhere; {@link PipelineEndToEndIT} covers the same path always.
 */
@Testcontainers(disabledWithoutDocker = true)
class PipelineOnKafkaContainerIT {

  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

  // Registered after the @Testcontainers extension: the container is up when it starts.
  @RegisterExtension static final Pipeline pipeline = Pipeline.on(KAFKA::getBootstrapServers);

  @Test
  void a_finalized_transfer_turns_active_on_a_containerized_broker() {
    new TransferScenarios(pipeline).finalizedTransferTurnsActive();
  }
}

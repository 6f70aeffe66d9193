package io.github.cspipeline.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

  private static Pipeline pipeline;

  @BeforeAll
  static void start() {
    pipeline = new Pipeline(KAFKA.getBootstrapServers());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void a_finalized_transfer_turns_active_on_a_containerized_broker() {
    new TransferScenarios(pipeline).finalizedTransferTurnsActive();
  }
}

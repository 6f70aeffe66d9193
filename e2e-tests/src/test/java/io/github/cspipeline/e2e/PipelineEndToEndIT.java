package io.github.cspipeline.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Every service against a real, embedded KRaft broker and the Cryptshare simulator. */
class PipelineEndToEndIT {

  private static EmbeddedKafkaKraftBroker broker;
  private static Pipeline pipeline;
  private static TransferScenarios scenarios;

  @BeforeAll
  static void start() {
    broker = new EmbeddedKafkaKraftBroker(1, 3);
    // The worker publishes in Kafka transactions; a single broker must host their state log.
    broker.brokerProperties(
        java.util.Map.of(
            "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1"));
    broker.afterPropertiesSet();
    pipeline = new Pipeline(broker.getBrokersAsString());
    scenarios = new TransferScenarios(pipeline);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (pipeline != null) {
      pipeline.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @Test
  void a_finalized_transfer_turns_active_with_download_urls() {
    scenarios.finalizedTransferTurnsActive();
  }

  @Test
  void a_transfer_whose_processing_fails_ends_failed() {
    scenarios.transferWhoseProcessingFailsEndsFailed();
  }

  @Test
  void an_unverified_sender_is_rejected() {
    scenarios.unverifiedSenderIsRejected();
  }

  @Test
  void a_session_with_a_file_not_uploaded_is_rejected() {
    scenarios.sessionWithFileNotUploadedIsRejected();
  }
}

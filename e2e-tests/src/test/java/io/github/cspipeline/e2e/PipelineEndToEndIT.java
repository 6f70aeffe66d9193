package io.github.cspipeline.e2e;

import io.github.cspipeline.model.event.TransferState;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every service against a real, embedded KRaft broker and the Cryptshare simulator. The last test
 * checks every record the others made the services produce against the contract's schemas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

  @RegisterExtension static final Pipeline pipeline = Pipeline.onEmbeddedKafka();
  private static final TransferScenarios scenarios = new TransferScenarios(pipeline);

  @Test
  void a_finalized_transfer_turns_active_with_download_urls() {
    scenarios.finalizedTransferTurnsActive();
  }

  @Test
  void a_pass_through_token_is_sealed_by_the_gateway_and_used_by_the_worker() {
    scenarios.passThroughTokenFinalizesWithTheCallersToken();
  }

  @Test
  void one_trace_follows_a_transfer_from_the_request_to_active() {
    scenarios.oneTraceFollowsTheTransferFromTheRequestToActive();
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

  @Test
  @Order(Integer.MAX_VALUE)
  void every_command_and_event_the_services_produced_matches_its_schema_and_headers() {
    scenarios.everyPublishedRecordMeetsTheContract(
        TransferState.PROCESSING,
        TransferState.ACTIVE,
        TransferState.FAILED,
        TransferState.REJECTED);
  }
}

package io.github.cspipeline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.ContractCheck;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/** The four paths of a transfer through the pipeline, shared by the broker variants. */
final class TransferScenarios {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final Pipeline pipeline;

  TransferScenarios(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  static String newTrackingId() {
    return "20261126-101500-" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  /**
   * Every command and event the services produced so far meets the contract: its value matches its
   * JSON Schema (strictly: no undeclared field) and its CloudEvents headers match its value
   * (docs/adr/027). Run after the other scenarios, so that it sees what they produced.
   */
  void everyPublishedRecordMeetsTheContract(TransferState... expectedStates) {
    var records = pipeline.publishedRecords();

    assertThat(records)
        .as("commands were produced")
        .anyMatch(r -> r.topic().equals(Topics.FINALIZE_COMMANDS));
    assertThat(
            records.stream()
                .filter(r -> r.topic().equals(Topics.TRANSFER_EVENTS))
                .map(r -> WireFormat.mapper().readTree(r.value()).path("state").asString()))
        .as("the events checked cover these states")
        .contains(Stream.of(expectedStates).map(Enum::name).toArray(String[]::new));
    var violations =
        records.stream()
            .flatMap(
                r ->
                    ContractCheck.violations(r).stream()
                        .map(
                            v ->
                                "%s-%d@%d (key %s): %s"
                                    .formatted(r.topic(), r.partition(), r.offset(), r.key(), v)))
            .toList();
    assertThat(violations).as("violations of the contract in %d records", records.size()).isEmpty();
  }

  /** Auto-session mode: an unknown tracking id of a verified sender finalizes and turns ACTIVE. */
  void finalizedTransferTurnsActive() {
    var trackingId = newTrackingId();

    var accepted = pipeline.finalize("alice@example.com", trackingId);

    assertThat(accepted.statusCode()).isEqualTo(202);
    var events = awaitTerminal(trackingId);
    assertThat(events)
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING, TransferState.ACTIVE);
    var active = events.getLast();
    assertThat(active.previousState()).isEqualTo(TransferState.PROCESSING);
    assertThat(active.statusUrl())
        .hasToString(
            "http://localhost:%d/api/users/alice@example.com/transfers/%s"
                .formatted(pipeline.simulatorPort, trackingId));
    assertThat(active.recipients()).isNotEmpty();
    assertThat(active.recipients().getFirst().downloadUrl()).isNotNull();
    assertThat(active.eventId())
        .isEqualTo(TransferEvent.eventIdOf("default", trackingId, TransferState.ACTIVE));
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(
                        WireFormat.mapper()
                            .readTree(pipeline.status(trackingId).body())
                            .path("state")
                            .asString())
                    .isEqualTo("ACTIVE"));
    assertThat(finalizeCalls(trackingId)).isEqualTo(1);
  }

  /** The caller's own token travels sealed through Kafka; the worker finalizes with it. */
  void passThroughTokenFinalizesWithTheCallersToken() {
    var trackingId = newTrackingId();
    // Cryptshare binds a token to (client id, sender): the caller shares the pipeline's client id.
    var token = pipeline.simulator.token("carol@example.com", Pipeline.CLIENT_ID);
    assertThat(token).isNotEmpty();

    assertThat(pipeline.finalizeWithToken("carol@example.com", trackingId, token).statusCode())
        .isEqualTo(202);

    assertThat(awaitTerminal(trackingId))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING, TransferState.ACTIVE);
    assertThat(finalizeCalls(trackingId)).isEqualTo(1);
  }

  /**
   * One trace follows the transfer (ADR 020): the caller's {@code traceparent} is continued by the
   * command, the finalize request to Cryptshare, the {@code PROCESSING} and the {@code ACTIVE}
   * event, each sent from a span of its own.
   */
  void oneTraceFollowsTheTransferFromTheRequestToActive() {
    var trackingId = newTrackingId();
    var traceId = hex(16);
    var callerSpan = hex(8);

    var accepted =
        pipeline.finalize(
            "alice@example.com",
            trackingId,
            Map.of(Traceparent.HEADER, "00-" + traceId + "-" + callerSpan + "-01"));

    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.headers().firstValue("X-Trace-Id")).hasValue(traceId);
    assertThat(awaitTerminal(trackingId))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING, TransferState.ACTIVE);
    var command = onlyTraceparent(pipeline.recordsOf(Topics.FINALIZE_COMMANDS, trackingId));
    var processing = eventTraceparent(trackingId, TransferState.PROCESSING);
    var active = eventTraceparent(trackingId, TransferState.ACTIVE);
    var finalize =
        Traceparent.parse(
            pipeline.simulator.transfer(trackingId).path("lastFinalizeTraceparent").asString());

    assertThat(List.of(command, processing, active))
        .extracting(Traceparent::traceId)
        .containsOnly(traceId);
    assertThat(finalize).map(Traceparent::traceId).hasValue(traceId);
    assertThat(List.of(callerSpan, command.parentId(), processing.parentId(), active.parentId()))
        .as("every hop sends from a span of its own")
        .doesNotHaveDuplicates();
    assertThat(List.of(command, processing, active)).allMatch(Traceparent::sampled);
  }

  void transferWhoseProcessingFailsEndsFailed() {
    var trackingId = newTrackingId();
    seedSession(trackingId, "alice@example.com", true, "FAILED");

    assertThat(pipeline.finalize("alice@example.com", trackingId).statusCode()).isEqualTo(202);

    assertThat(awaitTerminal(trackingId))
        .extracting(TransferEvent::state)
        .containsExactly(TransferState.PROCESSING, TransferState.FAILED);
  }

  void unverifiedSenderIsRejected() {
    var trackingId = newTrackingId();
    var sender = "unverified-" + UUID.randomUUID() + "@example.com";
    assertThat(
            pipeline
                .simulator
                .call("PUT", "/simulator/senders/" + sender, "{\"verified\": false}")
                .statusCode())
        .isBetween(200, 204);

    assertThat(pipeline.finalize(sender, trackingId).statusCode()).isEqualTo(202);

    var events = awaitTerminal(trackingId);
    assertThat(events).extracting(TransferEvent::state).containsExactly(TransferState.REJECTED);
    var error = events.getFirst().error();
    assertThat(error).isNotNull();
    assertThat(error.httpStatus()).isEqualTo(401);
    assertThat(error.cryptshareErrorCode()).isEqualTo(3002);
  }

  void sessionWithFileNotUploadedIsRejected() {
    var trackingId = newTrackingId();
    seedSession(trackingId, "alice@example.com", false, "ACTIVE");

    assertThat(pipeline.finalize("alice@example.com", trackingId).statusCode()).isEqualTo(202);

    var events = awaitTerminal(trackingId);
    assertThat(events).extracting(TransferEvent::state).containsExactly(TransferState.REJECTED);
    var error = events.getFirst().error();
    assertThat(error).isNotNull();
    assertThat(error.httpStatus()).isEqualTo(409);
    assertThat(error.cryptshareErrorCode()).isEqualTo(2001);
    assertThat(finalizeCalls(trackingId)).isEqualTo(1);
  }

  private void seedSession(String trackingId, String sender, boolean uploaded, String outcome) {
    var seeded =
        pipeline.simulator.call(
            "POST",
            "/simulator/sessions",
            """
            {"sender": "%s", "trackingId": "%s", "recipients": ["bob@example.org"],
             "files": [{"name": "a.pdf", "size": 10, "uploaded": %s}],
             "outcome": "%s", "processingTime": "PT1S"}"""
                .formatted(sender, trackingId, uploaded, outcome));
    assertThat(seeded.statusCode()).isEqualTo(201);
  }

  private Traceparent eventTraceparent(String trackingId, TransferState state) {
    return onlyTraceparent(
        pipeline.recordsOf(Topics.TRANSFER_EVENTS, trackingId).stream()
            .filter(
                r -> WireFormat.mapper().readValue(r.value(), TransferEvent.class).state() == state)
            .toList());
  }

  private static Traceparent onlyTraceparent(List<Pipeline.Seen> records) {
    assertThat(records).hasSize(1);
    var traceparent = records.getFirst().traceparent();
    assertThat(traceparent).as("valid traceparent on %s", records.getFirst().topic()).isNotNull();
    return traceparent;
  }

  private static String hex(int bytes) {
    var random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zero
    return HexFormat.of().formatHex(random);
  }

  private int finalizeCalls(String trackingId) {
    return pipeline.simulator.finalizeCalls(trackingId);
  }

  /** Waits for the terminal event, then a moment longer so that a duplicate would show. */
  private List<TransferEvent> awaitTerminal(String trackingId) {
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.eventsOf(trackingId).stream().anyMatch(e -> e.state().isTerminal()));
    await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
    return pipeline.eventsOf(trackingId);
  }
}

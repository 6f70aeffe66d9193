package io.github.cspipeline.worker;

import static io.github.cspipeline.worker.Workers.command;
import static io.github.cspipeline.worker.Workers.send;
import static io.github.cspipeline.worker.Workers.trackingIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * Cryptshare's rate limiting (429/2007 with {@code Retry-After: 1}) against a worker allowed to
 * send much faster: a proxy in front of the simulator records every request, so the test can check
 * that no request of a transfer follows a 429 sooner than the hint.
 */
@EmbeddedKafka(partitions = 3, topics = Topics.FINALIZE_COMMANDS)
class ErrorTaxonomyIT extends SimulatorBackedIT {

  static RecordingProxy proxy;
  static ConfigurableApplicationContext worker;

  @BeforeAll
  static void startProxyAndWorker() throws Exception {
    proxy = closeAfterAll(new RecordingProxy(simulator.baseUrl()));
    worker =
        closeAfterAll(
            Workers.start(
                bootstrapServers,
                proxy.baseUrl(),
                // The worker's own limit is far above the server's, so the server's 429s decide.
                "cryptshare.worker.servers.default.rate-limit=200",
                "cryptshare.worker.servers.default.retry.initial-backoff=50ms",
                "cryptshare.worker.servers.default.retry.max-backoff=200ms",
                "cryptshare.worker.servers.default.retry.budget=2m",
                "cryptshare.servers.short.base-url=" + simulator.baseUrl(),
                "cryptshare.servers.short.client-id=" + WorkerFixtures.CLIENT_ID,
                "cryptshare.worker.servers.short.retry.initial-backoff=200ms",
                "cryptshare.worker.servers.short.retry.max-backoff=500ms",
                "cryptshare.worker.servers.short.retry.budget=3s"));
  }

  @AfterEach
  void calm() {
    simulator.noFaults();
  }

  @Test
  void a_finalize_answered_404_for_a_transfer_that_exists_is_processing_not_rejected() {
    var sender = "already@example.com";
    var id = trackingIds(1).getFirst();
    assertThat(simulator.finalizeSession(sender, id, WorkerFixtures.CLIENT_ID).statusCode())
        .isEqualTo(201);

    send(commands, command(sender, id));
    commands.flush();

    var event = events.awaitEvent(id, Duration.ofSeconds(60));
    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).hasPath("/api/users/" + sender + "/transfers/" + id);
    assertThat(simulator.finalizeCalls(id)).isEqualTo(2);
    assertThat(simulator.statusCalls(id)).isEqualTo(1);
    System.out.printf(
        "[measure] 404 on finalize: finalizeCalls=%d (1 before the worker, 1 by it answered 404),"
            + " statusCalls=%d, outcome %s%n",
        simulator.finalizeCalls(id), simulator.statusCalls(id), event.state());
  }

  @Test
  void a_refusal_other_than_401_408_429_is_rejected_at_once_with_cryptshares_error() {
    var sender = "refused@example.com";
    var warmUp = trackingIds(1).getFirst();
    // The sender's token is cached first, so that the refusal meets the finalize itself.
    send(commands, command(sender, warmUp));
    commands.flush();
    events.awaitEvent(warmUp, Duration.ofSeconds(60));
    simulator.faults("{\"errorRate\": 1.0, \"errorStatus\": 403}");
    var id = trackingIds(1).getFirst();

    send(commands, command(sender, id));
    commands.flush();

    var event = events.awaitEvent(id, Duration.ofSeconds(60));
    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.error().httpStatus()).isEqualTo(403);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(3001);
    assertThat(event.error().message()).isEqualTo("Simulated error.");
    assertThat(simulator.finalizeCalls(id)).isEqualTo(1);
    System.out.printf(
        "[measure] 403/3001 on finalize: finalizeCalls=%d, outcome %s at once%n",
        simulator.finalizeCalls(id), event.state());
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void a_revoked_token_refused_with_3002_is_renewed_once_and_the_transfer_finalized(int status) {
    var sender = "renew" + status + "@example.com";
    var warmUp = trackingIds(1).getFirst();
    // The sender's token is cached first, then revoked: the next finalize meets 3002.
    send(commands, command(sender, warmUp));
    commands.flush();
    events.awaitEvent(warmUp, Duration.ofSeconds(60));
    simulator.sender(sender, "{\"invalidTokenStatus\": " + status + "}");
    simulator.revokeTokens(sender);
    var id = trackingIds(1).getFirst();

    send(commands, command(sender, id));
    commands.flush();

    var event = events.awaitEvent(id, Duration.ofSeconds(60));
    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(simulator.finalizeCalls(id)).isEqualTo(2);
    assertThat(simulator.finalizeOutcome(id, "refused")).isEqualTo(1);
    assertThat(simulator.effectiveFinalizes(id)).isEqualTo(1);
    System.out.printf(
        "[measure] %d/3002 on finalize with a revoked token: finalizeCalls=%d, effective=%d,"
            + " outcome %s%n",
        status, simulator.finalizeCalls(id), simulator.effectiveFinalizes(id), event.state());
  }

  @ParameterizedTest
  @CsvSource({"SENDER_REJECTED, 3010", "SENDER_RECIPIENT_REJECTED, 3011"})
  void a_sender_refused_by_policy_is_rejected_with_cryptshares_code(String policy, int code) {
    var sender = "policy" + code + "@example.com";
    simulator.sender(sender, "{\"policy\": \"" + policy + "\"}");
    var id = trackingIds(1).getFirst();

    send(commands, command(sender, id));
    commands.flush();

    var event = events.awaitEvent(id, Duration.ofSeconds(60));
    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.error().code()).isEqualTo("CRYPTSHARE_REJECTED");
    assertThat(event.error().httpStatus()).isEqualTo(403);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(code);
    assertThat(simulator.finalizeCalls(id)).isEqualTo(1);
    assertThat(simulator.effectiveFinalizes(id)).isZero();
  }

  @Test
  void a_transfer_whose_budget_is_spent_is_abandoned_with_the_last_error() {
    simulator.faults("{\"errorRate\": 1.0, \"errorStatus\": 503}");
    var id = trackingIds(1).getFirst();
    var started = Instant.now();

    send(
        commands,
        io.github.cspipeline.model.command.FinalizeCommand.of(
            Instant.now(), "short", "budget@example.com", id, null));
    commands.flush();

    var event = events.awaitEvent(id, Duration.ofSeconds(60));
    var took = Duration.between(started, Instant.now());
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.server()).isEqualTo("short");
    assertThat(event.error().code()).isEqualTo("RETRY_BUDGET_SPENT");
    assertThat(event.error().httpStatus()).isEqualTo(503);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(5000);
    assertThat(event.error().message()).contains("PT3S", "Simulated error.");
    System.out.printf(
        "[measure] budget 3 s with 100%% 503: ABANDONED after %d ms, error %s%n",
        took.toMillis(), event.error().message());
  }

  @Test
  void after_a_429_with_retry_after_1_no_request_of_that_transfer_comes_sooner() {
    var ids = trackingIds(12);
    simulator.faults("{\"rateLimitPerSecond\": 3, \"retryAfterSeconds\": 1}");
    var started = Instant.now();

    // One sender per transfer: every request path (token, finalize, status) belongs to one
    // transfer, so consecutive requests to a path are one transfer's retries.
    for (int i = 0; i < ids.size(); i++) {
      send(commands, command("sender" + i + "@example.com", ids.get(i)));
    }
    commands.flush();

    events.awaitEvents(ids, Duration.ofSeconds(120));
    var took = Duration.between(started, Instant.now());
    simulator.noFaults();
    assertThat(ids)
        .allSatisfy(
            id -> {
              assertThat(events.eventsOf(id))
                  .extracting(TransferEvent::state)
                  .containsExactly(TransferState.PROCESSING);
              assertThat(simulator.finalizeCalls(id)).isPositive();
            });
    var byPath = new HashMap<String, List<RecordingProxy.Exchange>>();
    proxy.exchanges().forEach(e -> byPath.computeIfAbsent(e.path(), p -> new ArrayList<>()).add(e));
    int rateLimited = 0;
    long shortestGapMillis = Long.MAX_VALUE;
    for (var exchanges : byPath.values()) {
      exchanges.sort(java.util.Comparator.comparingLong(RecordingProxy.Exchange::arrivedNanos));
      for (int i = 0; i + 1 < exchanges.size(); i++) {
        var answer = exchanges.get(i);
        if (answer.status() != 429) {
          continue;
        }
        rateLimited++;
        var next = exchanges.get(i + 1);
        long gapMillis = (next.arrivedNanos() - answer.answeredNanos()) / 1_000_000;
        shortestGapMillis = Math.min(shortestGapMillis, gapMillis);
        assertThat(gapMillis)
            .as("time between a 429 of %s and the next request", answer.path())
            .isGreaterThanOrEqualTo(1_000);
      }
    }
    assertThat(rateLimited).as("429 answers followed by a retry").isPositive();
    System.out.printf(
        "[measure] 429 with Retry-After 1: %d transfers, %d requests, %d answered 429 and"
            + " retried, shortest time from a 429 to that transfer's next request %d ms (hint"
            + " 1000 ms), finalizeCalls=%d, all PROCESSING in %d ms%n",
        ids.size(),
        proxy.exchanges().size(),
        rateLimited,
        shortestGapMillis,
        ids.stream().mapToInt(simulator::finalizeCalls).sum(),
        took.toMillis());
  }
}

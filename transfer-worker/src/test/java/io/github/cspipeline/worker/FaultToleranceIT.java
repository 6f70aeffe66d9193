package io.github.cspipeline.worker;

import static io.github.cspipeline.worker.Workers.command;
import static io.github.cspipeline.worker.Workers.send;
import static io.github.cspipeline.worker.Workers.trackingIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.worker.config.WorkerProperties;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The error taxonomy against the Cryptshare simulator's fault injection, each scenario judged by
 * the simulator's own count of finalize calls. Prints {@code [measure]} lines with what it saw.
 */
@EmbeddedKafka(partitions = 3, topics = Topics.FINALIZE_COMMANDS)
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceIT extends SimulatorBackedIT {

  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final String KEY_BASE64 = Base64.getEncoder().encodeToString(KEY);
  static final int RATE_LIMIT = 20;
  static final Duration PATIENCE = Duration.ofSeconds(90);

  static ConfigurableApplicationContext worker;

  @BeforeAll
  static void startWorker() {
    worker =
        closeAfterAll(
            Workers.start(
                bootstrapServers,
                simulator.baseUrl(),
                "cryptshare.servers.default.read-timeout=5s",
                "cryptshare.worker.servers.default.rate-limit=" + RATE_LIMIT,
                "cryptshare.worker.servers.default.retry.initial-backoff=200ms",
                "cryptshare.worker.servers.default.retry.max-backoff=1s",
                "cryptshare.worker.servers.default.retry.budget=2m",
                "cryptshare.worker.servers.default.circuit-breaker.sliding-window-size=10",
                "cryptshare.worker.servers.default.circuit-breaker.minimum-number-of-calls=5",
                // Short: 30 % faults open the circuit now and then, and each opening holds every
                // transfer up this long. The outage's bound below allows for the half-open probes.
                "cryptshare.worker.servers.default.circuit-breaker.wait-in-open-state=2s",
                "cryptshare.worker.servers.default.circuit-breaker.calls-in-half-open-state=2",
                "cryptshare.worker.credential-keys.k1=" + KEY_BASE64,
                "management.endpoints.web.exposure.include=health,prometheus",
                "management.endpoint.health.show-details=always"));
  }

  @AfterEach
  void calm() {
    simulator.noFaults();
    worker.getBean(CircuitBreakerRegistry.class).circuitBreaker("default").reset();
  }

  static void sendAll(String sender, List<String> ids) {
    ids.forEach(id -> send(commands, command(sender, id)));
    commands.flush();
  }

  static double meter(String name, String... tags) {
    var counter = worker.getBean(MeterRegistry.class).find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  static String actuator(String path) throws Exception {
    var port = worker.getEnvironment().getProperty("local.management.port");
    try (var http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  static void assertAllProcessingAndActive(List<String> ids) {
    events.awaitEvents(ids, PATIENCE);
    for (var id : ids) {
      assertThat(events.eventsOf(id))
          .as("events of %s", id)
          .extracting(TransferEvent::state)
          .containsExactly(TransferState.PROCESSING);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(ids)
                    .allSatisfy(id -> assertThat(simulator.state(id)).isEqualTo("ACTIVE")));
  }

  /**
   * Sends {@code ids} of {@code sender} while the simulator injects {@code faults}, and waits until
   * each has its one PROCESSING event and is ACTIVE at Cryptshare; how long that took.
   */
  static Duration allActiveUnder(String faults, String sender, List<String> ids) {
    simulator.resetStats();
    simulator.faults(faults);
    var started = Instant.now();
    sendAll(sender, ids);
    assertAllProcessingAndActive(ids);
    return Duration.between(started, Instant.now());
  }

  /** A command carrying the caller's verification token, sealed as the gateway seals it. */
  static void sendWithToken(CredentialCipher cipher, String sender, String id, String token) {
    send(
        commands,
        new FinalizeCommand(
            1,
            UUID.randomUUID(),
            Instant.now(),
            "default",
            sender,
            id,
            cipher.encrypt(token, "default", sender, id)));
    commands.flush();
  }

  @Test
  @Order(1)
  void a_pass_through_token_finalizes_and_no_secret_reaches_logs_metrics_or_topics(
      CapturedOutput output) throws Exception {
    var sender = "passthrough@example.com";
    var token = simulator.token(sender, WorkerFixtures.CLIENT_ID);
    var id = trackingIds(1).getFirst();
    var cipher = new CredentialCipher(Map.of("k1", KEY), "k1");
    var tokenRequests = simulator.stats().path("endpoints").path("token").path("requests").asInt();

    sendWithToken(cipher, sender, id, token);

    assertThat(events.awaitEvent(id, PATIENCE).state()).isEqualTo(TransferState.PROCESSING);
    assertThat(simulator.finalizeCalls(id)).isEqualTo(1);
    assertThat(simulator.stats().path("endpoints").path("token").path("requests").asInt())
        .as("the caller's token is used, none is requested")
        .isEqualTo(tokenRequests);

    // A pass-through token Cryptshare refuses is not replaced by one of the worker's own.
    var refused = trackingIds(1).getFirst();
    sendWithToken(cipher, sender, refused, "NotAValidToken" + token);
    var rejected = events.awaitEvent(refused, PATIENCE);
    assertThat(rejected.state()).isEqualTo(TransferState.REJECTED);
    assertThat(rejected.error().httpStatus()).isEqualTo(401);
    assertThat(rejected.error().cryptshareErrorCode()).isEqualTo(3002);
    assertThat(simulator.finalizeCalls(refused)).isEqualTo(1);

    var secrets = List.of(token, WorkerFixtures.CLIENT_ID, KEY_BASE64);
    var prometheus = actuator("/actuator/prometheus");
    var topics = new StringBuilder();
    events.rawValues().forEach(v -> topics.append(new String(v, StandardCharsets.UTF_8)));
    try (var state = new EventReader(bootstrapServers, WorkerProperties.STATE_TOPIC)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> state.rawValuesUnparsed().size() >= 4);
      state.rawValuesUnparsed().forEach(v -> topics.append(new String(v, StandardCharsets.UTF_8)));
    }
    for (var secret : secrets) {
      assertThat(output.getAll()).doesNotContain(secret);
      assertThat(prometheus).doesNotContain(secret);
      assertThat(topics.toString()).doesNotContain(secret);
    }
    // The captured output does hold the worker's lines: the refusal is logged (WARN). The accepted
    // finalize is logged at DEBUG only; the events topic is its audit trail.
    assertThat(output.getAll()).contains(refused);
    System.out.printf(
        "[measure] pass-through: finalizeCalls=%d (accepted) and %d (refused token, REJECTED);"
            + " secrets found in log/metrics/topics: none%n",
        simulator.finalizeCalls(id), simulator.finalizeCalls(refused));
  }

  @Test
  @Order(2)
  void lost_responses_finalize_every_transfer_exactly_once_and_never_reject() {
    var ids = trackingIds(30);
    var took = allActiveUnder("{\"lostResponseRate\": 0.3}", "lost@example.com", ids);
    int checked = 0;
    int finalizeCalls = 0;
    for (var id : ids) {
      assertThat(simulator.finalizeCalls(id)).as("finalize calls of %s", id).isEqualTo(1);
      finalizeCalls += simulator.finalizeCalls(id);
      if (simulator.statusCalls(id) > 0) {
        checked++;
      }
    }
    // A status check only follows a finalize whose answer was lost: the scenario happened.
    assertThat(checked).isPositive();
    System.out.printf(
        "[measure] lost responses (30%%): %d transfers, finalizeCalls=%d (exactly 1 each),"
            + " %d finalize answers lost and settled by a status check, %d lost responses in"
            + " total, all PROCESSING then ACTIVE, none REJECTED, in %d ms%n",
        ids.size(),
        finalizeCalls,
        checked,
        simulator.stats().path("faults").path("lostResponses").asInt(),
        took.toMillis());
  }

  @Test
  @Order(3)
  void with_thirty_percent_503_every_transfer_reaches_active() {
    var ids = trackingIds(30);
    var notFoundBefore = meter(FinalizeMetrics.CALLS, "server", "default", "outcome", "not_found");
    var createdBefore = meter(FinalizeMetrics.CALLS, "server", "default", "outcome", "created");
    var took =
        allActiveUnder("{\"errorRate\": 0.3, \"errorStatus\": 503}", "busy@example.com", ids);
    var finalizeCalls = ids.stream().mapToInt(simulator::finalizeCalls).sum();
    assertThat(ids).allSatisfy(id -> assertThat(simulator.finalizeCalls(id)).isPositive());
    // Exactly one finalize per transfer succeeded; none met a 404 (which a repeated successful
    // finalize would).
    assertThat(
            meter(FinalizeMetrics.CALLS, "server", "default", "outcome", "created") - createdBefore)
        .isEqualTo(ids.size());
    assertThat(meter(FinalizeMetrics.CALLS, "server", "default", "outcome", "not_found"))
        .isEqualTo(notFoundBefore);
    System.out.printf(
        "[measure] 30%% 503: %d transfers, finalizeCalls=%d (%d refused by 503 and retried, 1"
            + " created each), %d injected errors on all endpoints, all ACTIVE, in %d ms%n",
        ids.size(),
        finalizeCalls,
        finalizeCalls - ids.size(),
        simulator.stats().path("faults").path("injectedErrors").asInt(),
        took.toMillis());
  }

  @Test
  @Order(4)
  void the_configured_rate_limit_is_never_exceeded_by_more_than_ten_percent() {
    var ids = trackingIds(60);
    simulator.resetStats();
    var started = Instant.now();

    sendAll("rate@example.com", ids);

    events.awaitEvents(ids, PATIENCE);
    var took = Duration.between(started, Instant.now());
    assertThat(ids)
        .allSatisfy(
            id ->
                assertThat(events.eventsOf(id))
                    .extracting(TransferEvent::state)
                    .containsExactly(TransferState.PROCESSING));
    var stats = simulator.stats();
    int maxPerSecond = stats.path("total").path("maxPerSecond").asInt();
    int requests = stats.path("total").path("requests").asInt();
    assertThat(maxPerSecond).isLessThanOrEqualTo((int) Math.floor(RATE_LIMIT * 1.1));
    assertThat(ids).allSatisfy(id -> assertThat(simulator.finalizeCalls(id)).isEqualTo(1));
    System.out.printf(
        "[measure] rate limit %d/s: %d transfers, %d requests in %d ms, highest rate in any"
            + " sliding second %d/s (finalize endpoint %d/s), finalizeCalls=%d%n",
        RATE_LIMIT,
        ids.size(),
        requests,
        took.toMillis(),
        maxPerSecond,
        stats.path("endpoints").path("finalize").path("maxPerSecond").asInt(),
        ids.stream().mapToInt(simulator::finalizeCalls).sum());
  }

  @Test
  @Order(5)
  void during_a_20_second_outage_the_circuit_opens_consumption_pauses_and_all_complete_after()
      throws Exception {
    var first = trackingIds(10);
    var later = trackingIds(5);
    simulator.resetStats();
    simulator.faults("{\"outage\": true}");
    var outageStart = Instant.now();

    sendAll("outage@example.com", first);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(actuator("/actuator/health"))
                    .contains("\"circuit\":\"OPEN\"")
                    .doesNotContain("\"status\":\"DOWN\""));
    var openedAfter = Duration.between(outageStart, Instant.now());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                worker.getBean(MeterRegistry.class).get(FinalizeMetrics.PAUSED).gauge().value()
                    == 1.0);
    // Sent while consumption is paused: they wait in Kafka, not in memory.
    sendAll("outage@example.com", later);
    var outageEnd = outageStart.plusSeconds(20);
    await()
        .pollDelay(Duration.between(Instant.now(), outageEnd))
        .atMost(Duration.ofSeconds(25))
        .until(() -> true);
    var requestsDuringOutage = simulator.stats().path("total").path("requests").asInt();
    var refusedByOutage = simulator.stats().path("faults").path("outage").asInt();
    simulator.noFaults();
    var recovered = Instant.now();

    var all = new java.util.ArrayList<>(first);
    all.addAll(later);
    assertAllProcessingAndActive(all);
    var completedAfter = Duration.between(recovered, Instant.now());
    assertThat(all).allSatisfy(id -> assertThat(simulator.finalizeCalls(id)).isPositive());
    // Without the circuit breaker each of the 10 transfers would retry about every second
    // (backoff 200 ms to 1 s): some 200 requests in 20 s. With it: the calls that open it, then
    // two half-open probes every 2 s, about 25.
    assertThat(requestsDuringOutage).isLessThanOrEqualTo(40);
    System.out.printf(
        "[measure] 20 s outage: circuit open after %d ms; %d requests reached the server during"
            + " the outage (%d answered 503), for %d transfers in work and %d more held in Kafka"
            + " while consumption was paused; all %d PROCESSING then ACTIVE within %d ms after"
            + " the outage; finalizeCalls=%d%n",
        openedAfter.toMillis(),
        requestsDuringOutage,
        refusedByOutage,
        first.size(),
        later.size(),
        all.size(),
        completedAfter.toMillis(),
        all.stream().mapToInt(simulator::finalizeCalls).sum());
  }
}

package io.github.cspipeline.poller.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the poller costs a Cryptshare server, as the simulator counts it: the request rate stays
 * under the cap however many transfers are due, and settling many transfers of one sender from the
 * sender's transfer list takes fewer requests than polling each.
 *
 * <p>Each test stands alone, in any order: the simulator is reset before each (no configuration,
 * faults or counts of another test), each has its own topics, senders and tracking ids, and its
 * transfers' processing time is seeded per transfer, not configured for the whole simulator.
 */
class RequestBudgetIT {

  private static KafkaBroker broker;
  private static SimulatorFixture simulator;

  @BeforeAll
  static void start() {
    broker = new KafkaBroker();
    simulator = new SimulatorFixture("simulator.auto-sessions=true");
  }

  @AfterAll
  static void stop() {
    if (simulator != null) {
      simulator.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void freshSimulator() {
    simulator.reset();
  }

  private static Map<String, String> settings(String name) {
    broker.createTopic(PollerInstance.eventsTopic(name), 3);
    return PollerInstance.settings(broker.bootstrapServers(), simulator.baseUrl(), name);
  }

  /**
   * Seeds and finalizes each transfer (in progress for an hour, spread over {@code senders} senders
   * named after {@code senderPrefix}) and publishes its PROCESSING event.
   */
  private static void publishInProgress(
      EventLog events, List<String> ids, String senderPrefix, int senders) {
    for (int i = 0; i < ids.size(); i++) {
      var sender = senderPrefix + (i % senders) + "@example.com";
      events.processing(
          "default",
          sender,
          ids.get(i),
          simulator.seedAndFinalize(sender, ids.get(i), "ACTIVE", "PT1H"));
    }
    events.flush();
  }

  private static List<String> ids(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> "%s-%03d".formatted(prefix, i)).toList();
  }

  private static long requests() {
    var endpoints = simulator.stats().path("endpoints");
    return endpoints.path("status").path("requests").asLong()
        + endpoints.path("list").path("requests").asLong()
        + endpoints.path("token").path("requests").asLong();
  }

  @Test
  void never_sends_a_server_more_requests_per_second_than_its_cap() {
    var settings = settings("ratecap");
    settings.put("cryptshare.poller.max-requests-per-second", "10");
    settings.put("cryptshare.poller.bulk.enabled", "false");
    settings.put("cryptshare.poller.first-poll-delay", "100ms");
    settings.put("cryptshare.poller.backoff-max", "300ms");
    var ids = ids("RateCap", 40);
    try (var events = new EventLog(broker.bootstrapServers(), "ratecap.events");
        var poller = PollerInstance.start(settings)) {
      assertThat(poller.watches().size()).isZero();
      // In progress for the whole test: every transfer stays due every 300 ms.
      publishInProgress(events, ids, "ratecap", 4);
      await().atMost(Duration.ofSeconds(60)).until(() -> poller.watches().size() == ids.size());
      simulator.resetStats();

      // 40 transfers polled every 300 ms would be over 100 requests a second.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> simulator.endpointRequests("status") >= 40);

      var stats = simulator.stats();
      System.out.printf(
          "[measure] RequestBudgetIT rate cap 10/s: highest rate the simulator saw %d/s overall,"
              + " %d/s on status; %d requests in total%n",
          stats.path("total").path("maxPerSecond").asLong(),
          stats.path("endpoints").path("status").path("maxPerSecond").asLong(),
          stats.path("total").path("requests").asLong());
      // No margin over the cap: the guarantee is the rate the server counts in any sliding second,
      // and it holds whatever the load, because a request frees its place in the cap only a second
      // after its answer came back (RequestRate), and the server counted it before answering.
      // At least 8: the cap, not the demand, limited the rate (the limiter spaces permits 110 ms
      // apart, and lets 10 into a second only when requests come back quickly).
      assertThat(stats.path("total").path("maxPerSecond").asLong())
          .as("%s", stats)
          .isBetween(8L, 10L);
      assertThat(stats.path("endpoints").path("status").path("maxPerSecond").asLong())
          .isLessThanOrEqualTo(10);
    }
  }

  @Test
  void polls_a_transfer_no_sooner_than_the_retry_after_of_the_server_says() {
    var settings = settings("retryafter");
    settings.put("cryptshare.poller.bulk.enabled", "false");
    var sender = "retry@example.com";
    var id = "RetryAfter-1";
    var hint = Duration.ofSeconds(3);
    try (var events = new EventLog(broker.bootstrapServers(), "retryafter.events");
        var poller = PollerInstance.start(settings)) {
      events.processing(
          "default", sender, id, simulator.seedAndFinalize(sender, id, "ACTIVE", "PT60S"));
      events.flush();
      // Polled once (so the token is cached), at most every second (backoff-max) from then on.
      await().atMost(Duration.ofSeconds(20)).until(() -> simulator.statusCalls(id) >= 2);

      simulator.faults(
          "{\"errorRate\": 1.0, \"errorStatus\": 429, \"retryAfterSeconds\": %d}"
              .formatted(hint.toSeconds()));
      List<Long> arrivals;
      try {
        arrivals = arrivals(id, Duration.ofSeconds(11));
      } finally {
        simulator.noFaults();
      }
      simulator.forceState(id, "ACTIVE");
      await().atMost(Duration.ofSeconds(20)).until(() -> events.terminal(id).size() == 1);

      var gaps = new java.util.ArrayList<Long>();
      for (int i = 1; i < arrivals.size(); i++) {
        gaps.add(arrivals.get(i) - arrivals.get(i - 1));
      }
      System.out.printf(
          "[measure] RequestBudgetIT Retry-After %d s (429): %d status requests in 11 s, gaps %s"
              + " ms (backoff-max is 1 s)%n",
          hint.toSeconds(), arrivals.size(), gaps);
      assertThat(arrivals).as("answered 429 at least twice").hasSizeGreaterThanOrEqualTo(3);
      // The arrival times are sampled every 20 ms or so: allow for that much.
      assertThat(gaps).allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(2_900L));
      assertThat(arrivals).as("polled again soon after the hint, not given up").hasSizeLessThan(6);
    }
  }

  /** When status requests for a transfer arrived (ms, sampled), during {@code window}. */
  private static List<Long> arrivals(String trackingId, Duration window) {
    var arrivals = new java.util.ArrayList<Long>();
    long start = System.nanoTime();
    int seen = simulator.statusCalls(trackingId);
    while (System.nanoTime() - start < window.toNanos()) {
      int calls = simulator.statusCalls(trackingId);
      long at = (System.nanoTime() - start) / 1_000_000;
      for (; seen < calls; seen++) {
        arrivals.add(at);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return arrivals;
  }

  /**
   * Rounds of checks (a status request each one by one, a list request per sender in bulk) every
   * transfer stays in progress for, once all are watched.
   */
  private static final int ROUNDS = 3;

  @Test
  void settles_many_transfers_of_few_senders_with_fewer_requests_in_bulk_than_one_by_one() {
    long single = requestsToSettle("single", false);
    long bulk = requestsToSettle("bulk", true);

    System.out.printf(
        "[measure] RequestBudgetIT requests to settle 60 transfers of 3 senders in progress for %d"
            + " rounds (status + list + token): %d one by one, %d in bulk (%.0f %% fewer)%n",
        ROUNDS, single, bulk, 100.0 * (single - bulk) / single);
    assertThat(bulk).isLessThan(single / 2);
  }

  /**
   * Requests (status, list, token) to settle 60 transfers of 3 senders that stay in progress for
   * {@link #ROUNDS} rounds of checks once the poller watches them all, and then end together.
   *
   * <p>The same work in both modes, whatever the timing: how long the poller takes to start (a cold
   * JVM in the first test), how fast the machine polls and the order of the tests cannot change how
   * often a transfer is checked before it ends, as a processing time that starts at the finalize
   * would. Counting starts once all are watched, so neither the set-up's requests nor a poll made
   * before the sender had enough watches for a sweep counts.
   */
  private long requestsToSettle(String name, boolean bulk) {
    var settings = settings(name);
    settings.put("cryptshare.poller.bulk.enabled", Boolean.toString(bulk));
    settings.put("cryptshare.poller.bulk.min-watched-per-sender", "10");
    var ids = ids(name, 60);
    try (var events = new EventLog(broker.bootstrapServers(), name + ".events");
        var poller = PollerInstance.start(settings)) {
      publishInProgress(events, ids, name, 3);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> poller.watches().size() == ids.size());
      simulator.resetStats();
      var statusCallsBefore = statusCalls(ids);

      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  bulk
                      ? simulator.endpointRequests("list") >= 3L * ROUNDS
                      : fewestStatusCallsSince(statusCallsBefore) >= ROUNDS);
      ids.forEach(id -> simulator.forceState(id, "ACTIVE"));

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> events.terminalCount(ids) == ids.size());
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.exactlyOneTerminalEach(ids));
      assertThat(poller.watches().size()).isZero();
      return requests();
    }
  }

  /** Status requests so far for each of these transfers, as the simulator counted them. */
  private static Map<String, Integer> statusCalls(List<String> trackingIds) {
    var wanted = java.util.Set.copyOf(trackingIds);
    var calls = new java.util.HashMap<String, Integer>();
    for (var transfer : simulator.transfers()) {
      var trackingId = transfer.path("trackingId").asString();
      if (wanted.contains(trackingId)) {
        calls.put(trackingId, transfer.path("statusCalls").asInt());
      }
    }
    return calls;
  }

  /** The fewest status requests any of these transfers had since {@code before}. */
  private static int fewestStatusCallsSince(Map<String, Integer> before) {
    var now = statusCalls(List.copyOf(before.keySet()));
    return before.entrySet().stream()
        .mapToInt(e -> now.getOrDefault(e.getKey(), 0) - e.getValue())
        .min()
        .orElse(0);
  }
}

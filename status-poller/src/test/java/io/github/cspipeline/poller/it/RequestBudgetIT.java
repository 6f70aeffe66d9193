package io.github.cspipeline.poller.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the poller costs a Cryptshare server, as the simulator counts it: the request rate stays
 * under the cap however many transfers are due, and settling many transfers of one sender from the
 * sender's transfer list takes fewer requests than polling each.
 */
class RequestBudgetIT {

  private static final Logger log = LoggerFactory.getLogger(RequestBudgetIT.class);

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

  private static Map<String, String> settings(String name) {
    broker.createTopic(PollerInstance.eventsTopic(name), 3);
    return PollerInstance.settings(broker.bootstrapServers(), simulator.baseUrl(), name);
  }

  private static List<String> ids(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> "%s-%03d".formatted(prefix, i)).toList();
  }

  private static void processingTime(String duration) {
    simulator.control("PUT", "/simulator/config", "{\"processingTime\": \"" + duration + "\"}");
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
    processingTime("PT20S");
    try (var events = new EventLog(broker.bootstrapServers(), "ratecap.events");
        var poller = PollerInstance.start(settings)) {
      assertThat(poller.watches().size()).isZero();
      for (int i = 0; i < ids.size(); i++) {
        var sender = "sender" + (i % 4) + "@example.com";
        events.processing(
            "default", sender, ids.get(i), simulator.finalizeTransfer(sender, ids.get(i)));
      }
      events.flush();
      simulator.resetStats();

      // 40 transfers polled every 300 ms would be over 100 requests a second.
      await().atMost(Duration.ofSeconds(30)).until(() -> simulator.requests("status") >= 40);

      var stats = simulator.stats();
      assertThat(stats.path("total").path("maxPerSecond").asLong())
          .as("%s", stats)
          .isBetween(8L, 10L);
      assertThat(stats.path("endpoints").path("status").path("maxPerSecond").asLong())
          .isLessThanOrEqualTo(10);
    }
  }

  @Test
  void settles_many_transfers_of_few_senders_with_fewer_requests_in_bulk_than_one_by_one() {
    long single = requestsToSettle("single", false);
    long bulk = requestsToSettle("bulk", true);

    log.info(
        "Requests to settle 60 transfers of 3 senders: {} one by one, {} in bulk", single, bulk);
    assertThat(bulk).isLessThan(single / 2);
  }

  /** Requests (status, list, token) until 60 transfers of 3 senders are all terminal. */
  private long requestsToSettle(String name, boolean bulk) {
    var settings = settings(name);
    settings.put("cryptshare.poller.bulk.enabled", Boolean.toString(bulk));
    settings.put("cryptshare.poller.bulk.min-watched-per-sender", "10");
    var ids = ids(name, 60);
    processingTime("PT5S");
    try (var events = new EventLog(broker.bootstrapServers(), name + ".events");
        var poller = PollerInstance.start(settings)) {
      simulator.resetStats();
      for (int i = 0; i < ids.size(); i++) {
        var sender = name + (i % 3) + "@example.com";
        events.processing(
            "default", sender, ids.get(i), simulator.finalizeTransfer(sender, ids.get(i)));
      }
      events.flush();
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
}

package io.github.cspipeline.poller.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.poll.PollerMetrics;
import io.github.cspipeline.poller.poll.TransferPoller;
import io.github.cspipeline.testkit.StubCryptshare;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Each Cryptshare state, as the simulator reports it, becomes the contract's state (CONTRACT.md
 * §4); a status URL outside the server's origin is never requested.
 */
class StateMappingIT {

  private static final String SENDER = "mapping@example.com";

  private static PollerRig rig;
  private static SimulatorFixture simulator;
  private static PollerInstance poller;
  private static EventLog events;

  @BeforeAll
  static void start() {
    rig = PollerRig.start("mapping", Map.of());
    simulator = rig.simulator();
    poller = rig.poller();
    events = rig.events();
  }

  @AfterAll
  static void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  private static final Map<String, Long> watchedAt = new ConcurrentHashMap<>();

  private static void watch(String trackingId, URI statusUrl) {
    watch(SENDER, trackingId, statusUrl);
  }

  private static void watch(String sender, String trackingId, URI statusUrl) {
    watchedAt.put(trackingId, System.nanoTime());
    events.processing("default", sender, trackingId, statusUrl);
    events.flush();
  }

  private static void watch(String trackingId, String outcome, String processingTime) {
    watch(trackingId, simulator.seedAndFinalize(SENDER, trackingId, outcome, processingTime));
  }

  /** The one terminal event of a transfer, checked to stay the only one for a while. */
  private static TransferEvent theTerminalEvent(String trackingId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !events.terminal(trackingId).isEmpty());
    await()
        .during(Duration.ofMillis(1_500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.terminal(trackingId).size() == 1);
    var seen = events.terminal(trackingId).getFirst();
    assertThat(seen.byPoller()).isTrue();
    var event = seen.event();
    System.out.printf(
        "[measure] StateMappingIT %s: %s (cryptshare %s, error %s) after %d status requests,"
            + " seen %d ms after PROCESSING was published%n",
        trackingId,
        event.state(),
        event.cryptshareState(),
        event.error() == null ? "-" : event.error().code(),
        simulator.statusCalls(trackingId),
        (System.nanoTime() - watchedAt.getOrDefault(trackingId, System.nanoTime())) / 1_000_000);
    assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf("default", trackingId, event.state()));
    return event;
  }

  private static double polls(String outcome) {
    return poller.meters().find(PollerMetrics.POLLS).tag("outcome", outcome).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** Waits until the poller asked about the transfer a few more times, publishing nothing. */
  private static void keepsWatchingThrough(String trackingId, int polls) {
    int before = simulator.statusCalls(trackingId);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> simulator.statusCalls(trackingId) >= before + polls);
    assertThat(events.terminal(trackingId)).isEmpty();
  }

  @Test
  void active_becomes_active_with_recipients_and_their_download_urls() {
    watch("Map-Active", "ACTIVE", "PT0.5S");

    var event = theTerminalEvent("Map-Active");

    assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
    assertThat(event.cryptshareState()).isEqualTo("ACTIVE");
    assertThat(event.warnings()).isFalse();
    assertThat(event.recipients())
        .singleElement()
        .satisfies(
            recipient -> {
              assertThat(recipient.mail()).isNotBlank();
              assertThat(recipient.downloadUrl().toString())
                  .startsWith(simulator.baseUrl() + "/download/");
            });
    assertThat(event.error()).isNull();
  }

  @Test
  void active_with_warnings_becomes_active_with_the_warnings_flag() {
    watch("Map-Warnings", "ACTIVE_WITH_WARNINGS", "PT0.5S");

    var event = theTerminalEvent("Map-Warnings");

    assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
    assertThat(event.warnings()).isTrue();
    assertThat(event.recipients()).isNotEmpty();
  }

  @Test
  void failed_becomes_failed() {
    watch("Map-Failed", "FAILED", "PT0.5S");

    var event = theTerminalEvent("Map-Failed");

    assertThat(event.state()).isEqualTo(TransferState.FAILED);
    assertThat(event.cryptshareState()).isEqualTo("FAILED");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "DELETED_BY_EXPIRATION",
        "DELETED_BY_REVOCATION",
        "DELETED_BY_ADMIN",
        "DELETED_BY_SECURITY"
      })
  void every_deleted_by_state_becomes_deleted_and_says_how(String cryptshareState) {
    var id = "Map-" + cryptshareState.replace('_', '-');
    watch(id, "ACTIVE", "PT60S");
    keepsWatchingThrough(id, 1);

    simulator.forceState(id, cryptshareState);

    var event = theTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.DELETED);
    assertThat(event.cryptshareState()).isEqualTo(cryptshareState);
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void an_unknown_state_neither_ends_the_watch_nor_stops_it(CapturedOutput output) {
    var id = "Map-Unknown";
    watch(id, "ACTIVE", "PT60S");
    keepsWatchingThrough(id, 1);
    double unknownBefore = polls("unknown_state");

    simulator.forceState(id, "QUARANTINED_BY_A_NEWER_RELEASE");
    keepsWatchingThrough(id, 3);
    assertThat(polls("unknown_state") - unknownBefore).isGreaterThanOrEqualTo(3);
    assertThat(output.getAll())
        .contains("Cryptshare reports state QUARANTINED_BY_A_NEWER_RELEASE for transfer " + id);
    System.out.printf(
        "[measure] StateMappingIT unknown state: %.0f polls counted as unknown_state, watch kept%n",
        polls("unknown_state") - unknownBefore);

    simulator.forceState(id, "ACTIVE");
    assertThat(theTerminalEvent(id).state()).isEqualTo(TransferState.ACTIVE);
  }

  @Test
  void a_refused_token_is_renewed_and_the_poll_repeated_with_the_fresh_one() {
    var sender = "renewal@example.com";
    var id = "Map-Renewal";
    watch(sender, id, simulator.seedAndFinalize(sender, id, "ACTIVE", "PT60S"));
    keepsWatchingThrough(id, 1);
    long tokensBefore = simulator.endpointRequests("token");
    double errorsBefore = polls("error") + polls("transient");

    // As after a restart of Cryptshare: the poller's cached token is no longer known.
    assertThat(simulator.revokeTokens(sender)).isPositive();
    int callsAtRevocation = simulator.statusCalls(id);
    keepsWatchingThrough(id, 2);
    simulator.forceState(id, "ACTIVE");

    var event = theTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
    assertThat(event.recipients()).isNotEmpty();
    long renewals = simulator.endpointRequests("token") - tokensBefore;
    System.out.printf(
        "[measure] StateMappingIT 401/3002: %d token request(s) after the revocation, %d status"
            + " requests since, no failed poll%n",
        renewals, simulator.statusCalls(id) - callsAtRevocation);
    assertThat(renewals).as("one fresh token, then reused").isEqualTo(1);
    assertThat(polls("error") + polls("transient"))
        .as("the refused request was repeated within the same poll")
        .isEqualTo(errorsBefore);
  }

  @Test
  void a_transfer_cryptshare_does_not_know_ends_abandoned_after_five_404_in_a_row() {
    var id = "Map-Vanished";

    watch(id, simulator.statusUrl(SENDER, id));

    var event = theTerminalEvent(id);
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error()).isNotNull();
    assertThat(event.error().code()).isEqualTo(TransferPoller.TRANSFER_NOT_FOUND);
    assertThat(event.error().httpStatus()).isEqualTo(404);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(2003);
    assertThat(simulator.statusCalls(id)).as("the not-found limit, default 5").isEqualTo(5);
  }

  @Test
  void pending_is_treated_like_processing() {
    var id = "Map-Pending";
    watch(id, "ACTIVE", "PT60S");
    simulator.forceState(id, "PENDING");
    keepsWatchingThrough(id, 3);

    simulator.forceState(id, "FAILED");
    assertThat(theTerminalEvent(id).state()).isEqualTo(TransferState.FAILED);
  }

  @Test
  void a_status_url_of_another_origin_ends_abandoned_and_is_never_requested() {
    var id = "Map-Foreign";
    simulator.seedAndFinalize(SENDER, id, "ACTIVE", "PT0.5S");
    try (var foreignHost = new StubCryptshare()) {
      watch(id, foreignHost.baseUrl().resolve("/api/users/" + SENDER + "/transfers/" + id));

      var event = theTerminalEvent(id);

      assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
      assertThat(event.error()).isNotNull();
      assertThat(event.error().code()).isEqualTo(TransferPoller.FOREIGN_STATUS_URL);
      assertThat(event.error().message()).contains(foreignHost.baseUrl().getHost());
      assertThat(foreignHost.requests()).isEmpty();
      assertThat(simulator.statusCalls(id)).isZero();
      System.out.printf(
          "[measure] StateMappingIT foreign Location: %d requests to the foreign origin, %d to"
              + " Cryptshare for %s%n",
          foreignHost.requests().size(), simulator.statusCalls(id), id);
    }
  }
}

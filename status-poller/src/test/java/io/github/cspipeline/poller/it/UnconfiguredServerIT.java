package io.github.cspipeline.poller.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.poll.PollerMetrics;
import io.github.cspipeline.poller.poll.TransferPoller;
import io.github.cspipeline.poller.watch.TransferKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code PROCESSING} event of a server the poller has no configuration for (configured on the
 * worker only, or a rolling deployment adding it) is watched durably without requests: it ends
 * {@code ABANDONED} ({@code SERVER_NOT_CONFIGURED}) after the grace, unless an instance configured
 * for the server takes it over first; and an event without status URL is polled at the canonical
 * one. Against a real (embedded) broker and the Cryptshare simulator.
 */
class UnconfiguredServerIT {

  private static final String SENDER = "unconfigured@example.com";
  private static final String OTHER = "other";

  @RegisterExtension static final BrokerAndSimulator rig = new BrokerAndSimulator();

  /** A poller configured for {@code default} only, waiting {@code grace} for {@code other}. */
  private static Map<String, String> settings(String name, String grace) {
    var settings = rig.pollerSettings(name, 2);
    settings.put("cryptshare.poller.unknown-server-grace", grace);
    return settings;
  }

  private static Map<String, String> withOther(Map<String, String> settings) {
    settings.put("cryptshare.servers.other.base-url", rig.simulator().baseUrl().toString());
    settings.put("cryptshare.servers.other.client-id", SimulatorFixture.CLIENT_ID);
    return settings;
  }

  private static EventLog events(String name) {
    return rig.events(name);
  }

  private static double awaitingConfiguration(PollerInstance poller) {
    var gauge = poller.meters().find(PollerMetrics.AWAITING_CONFIGURATION).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  /** The one terminal event of a transfer, checked to stay the only one for a while. */
  private static TransferEvent theTerminalEvent(EventLog events, String server, String id) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !events.terminal(id).isEmpty());
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.terminal(id).size() == 1);
    var seen = events.terminal(id).getFirst();
    assertThat(seen.byPoller()).isTrue();
    var event = seen.event();
    assertThat(event.server()).isEqualTo(server);
    assertThat(event.sender()).isEqualTo(SENDER);
    assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.eventId()).isEqualTo(TransferEvent.eventIdOf(server, id, event.state()));
    return event;
  }

  @Test
  void a_transfer_of_a_server_no_poller_is_configured_for_ends_abandoned_after_the_grace() {
    var name = "unconf-abandoned";
    var id = "Unconf-Abandoned";
    var statusUrl = rig.simulator().seedAndFinalize(SENDER, id, "ACTIVE", "PT0.2S");
    try (var poller = PollerInstance.start(settings(name, "3s"));
        var events = events(name)) {
      long published = System.nanoTime();
      events.processing(OTHER, SENDER, id, statusUrl);
      events.flush();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> poller.watches().contains(new TransferKey(OTHER, id)));
      assertThat(awaitingConfiguration(poller)).isEqualTo(1);

      var event = theTerminalEvent(events, OTHER, id);

      assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
      assertThat(event.error().code()).isEqualTo(TransferPoller.SERVER_NOT_CONFIGURED);
      assertThat(event.error().message()).contains("'other'");
      assertThat(event.statusUrl()).isEqualTo(statusUrl);
      assertThat(rig.simulator().statusCalls(id))
          .as("no request for a server this poller has no configuration for")
          .isZero();
      assertThat(awaitingConfiguration(poller)).isZero();
      System.out.printf(
          "[measure] UnconfiguredServerIT %s: ABANDONED %d ms after PROCESSING (grace 3 s)%n",
          id, (System.nanoTime() - published) / 1_000_000);
    }
  }

  @Test
  void
      an_instance_configured_for_the_server_within_the_grace_takes_the_watch_over_and_it_ends_active() {
    var name = "unconf-takeover";
    var id = "Unconf-Takeover";
    var settings = settings(name, "60s");
    try (var events = events(name)) {
      try (var unconfigured = PollerInstance.start(settings)) {
        events.processing(
            OTHER, SENDER, id, rig.simulator().seedAndFinalize(SENDER, id, "ACTIVE", "PT0.2S"));
        events.flush();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> unconfigured.watches().contains(new TransferKey(OTHER, id)));
        assertThat(awaitingConfiguration(unconfigured)).isEqualTo(1);
      }
      assertThat(events.terminal(id)).isEmpty();
      assertThat(rig.simulator().statusCalls(id)).isZero();

      // The rolling deployment: the same instance, restarted with the server added.
      var restarted = Instant.now();
      try (var configured = PollerInstance.start(withOther(settings))) {
        var event = theTerminalEvent(events, OTHER, id);

        assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
        assertThat(event.recipients()).isNotEmpty();
        assertThat(rig.simulator().statusCalls(id)).isPositive();
        assertThat(awaitingConfiguration(configured)).isZero();
        System.out.printf(
            "[measure] UnconfiguredServerIT %s: ACTIVE %d ms after the restart with the server%n",
            id, Duration.between(restarted, Instant.now()).toMillis());
      }
    }
  }

  @Test
  void a_processing_event_without_status_url_is_polled_at_the_canonical_status_url() {
    var name = "unconf-no-url";
    var id = "Unconf-NoUrl";
    rig.simulator().seedAndFinalize(SENDER, id, "ACTIVE", "PT0.2S");
    try (var poller = PollerInstance.start(settings(name, "60s"));
        var events = events(name)) {
      events.publish(
          TransferEvent.processing(
                  "default", SENDER, id, Instant.now(), rig.simulator().statusUrl(SENDER, id))
              .withStatusUrl(null),
          null);
      events.flush();

      var event = theTerminalEvent(events, "default", id);

      assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
      assertThat(event.statusUrl()).isEqualTo(rig.simulator().statusUrl(SENDER, id));
      assertThat(rig.simulator().statusCalls(id)).isPositive();
    }
  }
}

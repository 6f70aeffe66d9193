package io.github.cspipeline.poller.watch;

import static io.github.cspipeline.poller.PollerFixtures.BASE_URL;
import static io.github.cspipeline.poller.PollerFixtures.SENDER;
import static io.github.cspipeline.poller.PollerFixtures.SERVER;
import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.MutableClock;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.error.InvalidEventException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WatchKeeperTest {

  private static final String ID = "20261126-101500-AbCdEfGh";
  private static final TransferKey KEY = new TransferKey(SERVER, ID);

  private final MutableClock clock = new MutableClock(T0.plusMillis(200));
  private final InMemoryWatchList watches = new InMemoryWatchList();
  private final WatchKeeper keeper =
      new WatchKeeper(watches, Set.of(SERVER), Duration.ofSeconds(1), Duration.ofHours(24), clock);

  @Test
  void watches_a_processing_transfer_with_first_poll_and_deadline() {
    keeper.onEvent(
        PollerFixtures.processing(ID), "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01");

    var watch = watches.get(KEY).orElseThrow();
    assertThat(watch.sender()).isEqualTo(SENDER);
    assertThat(watch.statusUrl()).isEqualTo(PollerFixtures.statusUrl(BASE_URL, SENDER, ID));
    assertThat(watch.since()).isEqualTo(T0);
    assertThat(watch.nextPollAt()).isEqualTo(T0.plusMillis(1_200));
    assertThat(watch.deadline()).isEqualTo(T0.plus(Duration.ofHours(24)));
    assertThat(watch.traceparent()).startsWith("00-aaaa");
  }

  @Test
  void polls_a_late_processing_event_once_at_once_instead_of_after_its_passed_deadline() {
    clock.set(T0.plus(Duration.ofDays(3)));

    keeper.onEvent(PollerFixtures.processing(ID), null);

    assertThat(watches.due(clock.instant(), 10)).extracting(Watch::key).containsExactly(KEY);
  }

  @Test
  void ignores_a_redelivered_processing_event_of_a_watched_transfer() {
    keeper.onEvent(PollerFixtures.processing(ID), null);
    clock.advance(Duration.ofMinutes(5));

    keeper.onEvent(PollerFixtures.processing(ID), null);

    assertThat(watches.get(KEY).orElseThrow().nextPollAt()).isEqualTo(T0.plusMillis(1_200));
  }

  @ParameterizedTest
  @EnumSource(
      value = TransferState.class,
      names = {"ACTIVE", "FAILED", "DELETED", "REJECTED", "ABANDONED"})
  void stops_watching_at_a_terminal_event_from_anyone(TransferState terminal) {
    keeper.onEvent(PollerFixtures.processing(ID), null);

    keeper.onEvent(
        TransferEvent.of(SERVER, SENDER, ID, terminal, TransferState.PROCESSING, T0), null);

    assertThat(watches.size()).isZero();
  }

  @Test
  void does_not_start_watching_again_after_the_transfer_ended() {
    keeper.onEvent(PollerFixtures.processing(ID), null);
    keeper.onEvent(
        TransferEvent.of(SERVER, SENDER, ID, TransferState.ACTIVE, TransferState.PROCESSING, T0),
        null);

    keeper.onEvent(PollerFixtures.processing(ID), null);

    assertThat(watches.size()).isZero();
  }

  @Test
  void tells_transfers_on_different_servers_apart() {
    var twoServers =
        new WatchKeeper(
            watches, Set.of(SERVER, "other"), Duration.ofSeconds(1), Duration.ofHours(24), clock);
    twoServers.onEvent(PollerFixtures.processing(ID), null);

    twoServers.onEvent(
        TransferEvent.of("other", SENDER, ID, TransferState.ACTIVE, TransferState.PROCESSING, T0),
        null);

    assertThat(watches.get(KEY)).isPresent();
  }

  @Test
  void rejects_a_processing_event_of_a_server_it_has_no_configuration_for() {
    var event =
        PollerFixtures.processing(
            "elsewhere", ID, PollerFixtures.statusUrl(BASE_URL, SENDER, ID), T0);

    assertThatThrownBy(() -> keeper.onEvent(event, null))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("elsewhere")
        .hasMessageContaining(ID);
    assertThat(watches.size()).isZero();
  }

  @Test
  void rejects_a_processing_event_without_status_url() {
    var event = PollerFixtures.processing(ID).withStatusUrl(null);

    assertThatThrownBy(() -> keeper.onEvent(event, null))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("statusUrl");
  }

  @Test
  void rejects_a_processing_event_with_a_malformed_tracking_id() {
    var event = PollerFixtures.processing("../../admin");

    assertThatThrownBy(() -> keeper.onEvent(event, null))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("trackingId");
  }
}

package io.github.cspipeline.poller.watch;

import static io.github.cspipeline.poller.PollerFixtures.BASE_URL;
import static io.github.cspipeline.poller.PollerFixtures.SENDER;
import static io.github.cspipeline.poller.PollerFixtures.SERVER;
import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.OtelTracing;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.error.InvalidEventException;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.testkit.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WatchKeeperTest {

  private static final String ID = "20261126-101500-AbCdEfGh";
  private static final TransferKey KEY = new TransferKey(SERVER, ID);
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(T0.plusMillis(200));
  private final WatchIndex watches = new WatchIndex();
  private final WatchKeeper keeper = keeper(Set.of(SERVER));

  private WatchKeeper keeper(Set<String> servers) {
    return keeper(servers, PollTracing.NOOP);
  }

  private WatchKeeper keeper(Set<String> servers, PollTracing tracing) {
    // As the default backoff (1 s doubling to 30 s) without jitter; resumed polls at the latest.
    var backoff =
        new io.github.cspipeline.poller.poll.Backoff(
            Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0, () -> 0);
    return new WatchKeeper(
        watches,
        servers,
        (server, sender, trackingId) -> PollerFixtures.statusUrl(BASE_URL, sender, trackingId),
        GRACE,
        Duration.ofSeconds(1),
        Duration.ofHours(24),
        new WatchKeeper.Resumption(backoff::pollsWithin, polls -> backoff.after(polls, null)),
        () -> 0.999,
        tracing,
        clock);
  }

  /** Handles one event as the listener and the journal do, the transaction committing. */
  private void handle(WatchKeeper keeper, TransferEvent event, @Nullable String traceparent) {
    var changes = new PartitionChanges(0);
    keeper.onEvent(event, event.trackingId(), traceparent, changes);
    changes.applyTo(watches);
  }

  private void handle(TransferEvent event) {
    handle(keeper, event, null);
  }

  @Test
  void watches_a_processing_transfer_with_first_poll_and_deadline() {
    handle(
        keeper,
        PollerFixtures.processing(ID),
        "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01");

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

    handle(PollerFixtures.processing(ID));

    assertThat(watches.nextDue(SERVER, clock.instant())).extracting(Watch::key).isEqualTo(KEY);
  }

  @Test
  void ignores_a_redelivered_processing_event_of_a_watched_transfer() {
    handle(PollerFixtures.processing(ID));
    clock.advance(Duration.ofMinutes(5));

    handle(PollerFixtures.processing(ID));

    assertThat(watches.get(KEY).orElseThrow().nextPollAt()).isEqualTo(T0.plusMillis(1_200));
  }

  @ParameterizedTest
  @EnumSource(
      value = TransferState.class,
      names = {"ACTIVE", "FAILED", "DELETED", "REJECTED", "ABANDONED"})
  void stops_watching_at_a_terminal_event_from_anyone(TransferState terminal) {
    handle(PollerFixtures.processing(ID));

    handle(TransferEvent.of(SERVER, SENDER, ID, terminal, TransferState.PROCESSING, T0));

    assertThat(watches.size()).isZero();
  }

  @Test
  void does_not_start_watching_again_after_the_transfer_ended() {
    handle(PollerFixtures.processing(ID));
    handle(
        TransferEvent.of(SERVER, SENDER, ID, TransferState.ACTIVE, TransferState.PROCESSING, T0));

    handle(PollerFixtures.processing(ID));

    assertThat(watches.size()).isZero();
  }

  @Test
  void tells_transfers_on_different_servers_apart() {
    var twoServers = keeper(Set.of(SERVER, "other"));
    handle(twoServers, PollerFixtures.processing(ID), null);

    handle(
        twoServers,
        TransferEvent.of("other", SENDER, ID, TransferState.ACTIVE, TransferState.PROCESSING, T0),
        null);

    assertThat(watches.get(KEY)).isPresent();
  }

  @Test
  void
      watches_a_transfer_of_a_server_it_has_no_configuration_for_without_polling_until_the_grace_passed() {
    var event =
        PollerFixtures.processing(
            "elsewhere", ID, PollerFixtures.statusUrl(BASE_URL, SENDER, ID), T0);

    handle(event);

    var watch = watches.get(new TransferKey("elsewhere", ID)).orElseThrow();
    assertThat(watch.statusUrl()).isEqualTo(event.statusUrl());
    assertThat(watch.deadline()).isEqualTo(T0.plus(Duration.ofHours(24)));
    assertThat(watch.nextPollAt())
        .as("due only when the grace has passed, then it ends ABANDONED SERVER_NOT_CONFIGURED")
        .isEqualTo(clock.instant().plus(GRACE));
    assertThat(watches.nextDue("elsewhere", clock.instant().plus(GRACE).minusMillis(1))).isNull();
  }

  @Test
  void watches_a_processing_event_without_status_url_at_the_canonical_status_url() {
    handle(PollerFixtures.processing(ID).withStatusUrl(null));

    var watch = watches.get(KEY).orElseThrow();
    assertThat(watch.statusUrl()).isEqualTo(PollerFixtures.statusUrl(BASE_URL, SENDER, ID));
    assertThat(watch.nextPollAt()).isEqualTo(T0.plusMillis(1_200));
  }

  @Test
  void keeps_only_the_status_path_of_a_transfer_without_status_url_of_an_unconfigured_server() {
    handle(
        PollerFixtures.processing(
                "elsewhere", ID, PollerFixtures.statusUrl(BASE_URL, SENDER, ID), T0)
            .withStatusUrl(null));

    var watch = watches.get(new TransferKey("elsewhere", ID)).orElseThrow();
    assertThat(watch.statusUrl())
        .hasToString("/api/users/alice@example.com/transfers/" + ID)
        .matches(url -> !url.isAbsolute(), "relative");
  }

  @Test
  void an_instance_configured_for_the_server_resumes_its_watch_with_the_canonical_status_url() {
    clock.set(T0.plus(Duration.ofMinutes(5)));
    var relative = recordWatchedAt(URI.create("/api/users/alice@example.com/transfers/" + ID), T0);

    var resumed = keeper.resume(relative);

    assertThat(resumed.statusUrl()).isEqualTo(PollerFixtures.statusUrl(BASE_URL, SENDER, ID));
    assertThat(resumed.nextPollAt())
        .as("polled like any resumed watch, not after a grace")
        .isBetween(clock.instant(), clock.instant().plusSeconds(30));
  }

  @Test
  void an_instance_without_the_server_resumes_its_watch_due_at_the_end_of_the_first_grace() {
    var unconfigured = keeper(Set.of("other"));
    clock.set(T0.plus(Duration.ofMinutes(4)));

    assertThat(unconfigured.resume(recordWatchedAt(T0)).nextPollAt())
        .as("the grace runs from the first watch, not from each takeover")
        .isEqualTo(T0.plus(GRACE));

    clock.set(T0.plus(Duration.ofMinutes(30)));
    assertThat(unconfigured.resume(recordWatchedAt(T0)).nextPollAt()).isEqualTo(clock.instant());
  }

  @Test
  void rejects_a_processing_event_with_a_blank_sender() {
    var event =
        TransferEvent.processing(
            SERVER, " ", ID, T0, PollerFixtures.statusUrl(BASE_URL, SENDER, ID));

    assertThatThrownBy(() -> handle(event))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("sender");
    assertThat(watches.size()).isZero();
  }

  @Test
  void rejects_a_processing_event_with_a_malformed_tracking_id() {
    var event = PollerFixtures.processing("../../admin");

    assertThatThrownBy(() -> handle(event))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("trackingId");
  }

  @Test
  void starts_nothing_for_a_transfer_that_ends_in_the_same_batch() {
    var changes = new PartitionChanges(3);
    keeper.onEvent(PollerFixtures.processing(ID), ID, null, changes);
    keeper.onEvent(
        TransferEvent.of(SERVER, SENDER, ID, TransferState.FAILED, TransferState.PROCESSING, T0),
        ID,
        null,
        changes);

    assertThat(changes.started()).isEmpty();
    assertThat(changes.ended()).containsExactly(KEY);
    changes.applyTo(watches);
    assertThat(watches.size()).isZero();
    assertThat(watches.hasEnded(KEY)).isTrue();
  }

  @Test
  void rejects_a_record_it_could_not_read() {
    assertThatThrownBy(() -> keeper.onEvent(null, "poison", null, new PartitionChanges(0)))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("poison");
  }

  private static WatchRecord recordWatchedAt(Instant watchedAt) {
    return recordWatchedAt(
        URI.create("https://cs.example.com/api/users/alice@example.com/transfers/" + ID),
        watchedAt);
  }

  private static WatchRecord recordWatchedAt(URI statusUrl, Instant watchedAt) {
    return new WatchRecord(
        WatchRecord.SCHEMA_VERSION,
        SERVER,
        SENDER,
        ID,
        statusUrl,
        watchedAt,
        watchedAt.plus(Duration.ofHours(24)),
        watchedAt,
        null);
  }

  @Test
  void resumes_a_young_watch_within_its_first_poll_interval() {
    clock.set(T0.plusMillis(500));

    var resumed = keeper.resume(recordWatchedAt(T0));

    assertThat(resumed.polls()).isZero();
    assertThat(resumed.nextPollAt()).isBetween(clock.instant(), clock.instant().plusSeconds(1));
    assertThat(resumed.deadline()).isEqualTo(T0.plus(Duration.ofHours(24)));
  }

  @Test
  void resumes_an_old_watch_within_the_capped_interval_and_with_its_polls_estimated() {
    clock.set(T0.plus(Duration.ofHours(2)));

    var resumed = keeper.resume(recordWatchedAt(T0));

    // 1 s, then 2, 4, 8, 16 s, then every 30 s: about 240 polls in two hours.
    assertThat(resumed.polls()).isBetween(235, 245);
    assertThat(resumed.nextPollAt()).isBetween(clock.instant(), clock.instant().plusSeconds(30));
  }

  @Test
  void resumes_a_watch_past_its_deadline_with_one_poll_at_once() {
    clock.set(T0.plus(Duration.ofDays(2)));

    var resumed = keeper.resume(recordWatchedAt(T0));

    assertThat(resumed.nextPollAt()).isEqualTo(clock.instant());
  }

  @Test
  void a_processing_event_without_trace_context_gets_a_new_trace_kept_with_its_watch() {
    try (var otel = new OtelTracing()) {
      var traced = keeper(Set.of(SERVER), otel.pollTracing());

      handle(traced, PollerFixtures.processing(ID), "not a traceparent");

      assertThat(Traceparent.parse(watches.get(KEY).orElseThrow().traceparent()))
          .as("a new trace's context, written to the watch topic with the watch")
          .isPresent();
    }
  }

  @Test
  void a_watch_record_without_trace_context_is_resumed_in_a_new_trace() {
    try (var otel = new OtelTracing()) {
      var traced = keeper(Set.of(SERVER), otel.pollTracing());

      var resumed = traced.resume(recordWatchedAt(T0));

      assertThat(Traceparent.parse(resumed.traceparent())).isPresent();
      assertThat(keeper.resume(recordWatchedAt(T0)).traceparent())
          .as("tracing off: nothing to keep")
          .isNull();
    }
  }
}

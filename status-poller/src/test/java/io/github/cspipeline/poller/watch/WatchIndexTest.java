package io.github.cspipeline.poller.watch;

import static io.github.cspipeline.poller.PollerFixtures.SERVER;
import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.poller.PollerFixtures;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WatchIndexTest {

  private final WatchIndex watches = new WatchIndex(2);

  private Watch add(String trackingId, int secondsFromT0, int partition) {
    return watches
        .add(
            PollerFixtures.watch(trackingId).withNextPollAt(T0.plusSeconds(secondsFromT0)),
            partition)
        .orElseThrow();
  }

  private Watch onServer(String server, String trackingId, String sender) {
    return watches.add(PollerFixtures.watch(server, trackingId, sender), 0).orElseThrow();
  }

  @Test
  void offers_the_earliest_due_watch_of_a_server_and_nothing_before_it_is_due() {
    add("late", 30, 0);
    add("early", 10, 1);
    add("future", 90, 0);

    assertThat(watches.nextDue(SERVER, T0.plusSeconds(9))).isNull();
    assertThat(watches.nextDue(SERVER, T0.plusSeconds(60)).trackingId()).isEqualTo("early");
    assertThat(watches.nextDue("other", T0.plusSeconds(60))).isNull();
  }

  @Test
  void keeps_a_claimed_watch_out_of_the_schedule_until_it_is_released() {
    var early = add("early", 10, 0);
    add("late", 30, 0);

    var claimed = watches.claim(early).orElseThrow();
    assertThat(watches.claim(early)).as("claimed twice").isEmpty();
    assertThat(watches.nextDue(SERVER, T0.plusSeconds(60)).trackingId()).isEqualTo("late");

    assertThat(watches.release(claimed.answered("PROCESSING").withNextPollAt(T0.plusSeconds(20))))
        .isTrue();
    var released = watches.nextDue(SERVER, T0.plusSeconds(60));
    assertThat(released.trackingId()).isEqualTo("early");
    assertThat(released.polls()).isEqualTo(1);
    assertThat(released.lastCryptshareState()).isEqualTo("PROCESSING");
  }

  @Test
  void ignores_the_release_of_a_watch_that_ended_meanwhile() {
    var claimed = watches.claim(add("t1", 1, 0)).orElseThrow();

    watches.end(claimed.key());

    assertThat(watches.release(claimed)).isFalse();
    assertThat(watches.size()).isZero();
    assertThat(watches.add(PollerFixtures.watch("t1"), 0)).as("ended recently").isEmpty();
  }

  @Test
  void a_poll_from_before_a_reload_cannot_touch_the_reloaded_watch() {
    var claimed = watches.claim(add("t1", 1, 4)).orElseThrow();

    assertThat(watches.drop(4)).isEqualTo(1);
    var reloaded = add("t1", 1, 4);

    assertThat(watches.release(claimed.withNextPollAt(T0.plusSeconds(99)))).isFalse();
    assertThat(watches.partitionOf(claimed)).isEqualTo(-1);
    assertThat(watches.partitionOf(reloaded)).isEqualTo(4);
    assertThat(watches.nextDue(SERVER, T0.plusSeconds(1)).id()).isEqualTo(reloaded.id());
  }

  @Test
  void drops_only_the_watches_of_the_given_partition_and_does_not_remember_them_as_ended() {
    add("p0", 1, 0);
    add("p1", 1, 1);

    watches.drop(1);

    assertThat(watches.keys()).extracting(TransferKey::trackingId).containsExactly("p0");
    assertThat(watches.hasEnded(new TransferKey(SERVER, "p1"))).isFalse();
    assertThat(watches.size(0)).isEqualTo(1);
  }

  @Test
  void forgets_the_oldest_ended_transfers_beyond_its_capacity() {
    watches.end(new TransferKey(SERVER, "t1"));
    watches.end(new TransferKey(SERVER, "t2"));
    watches.rememberEnded(new TransferKey(SERVER, "t3"));

    assertThat(watches.add(PollerFixtures.watch("t1"), 0)).isPresent();
    assertThat(watches.add(PollerFixtures.watch("t3"), 0)).isEmpty();
  }

  @Test
  void counts_watches_per_server_and_sender() {
    onServer(SERVER, "a1", "alice@example.com");
    onServer(SERVER, "a2", "alice@example.com");
    onServer("other", "a3", "alice@example.com");
    var bob = onServer(SERVER, "b1", "bob@example.com");

    assertThat(watches.watchedBy(SERVER, "alice@example.com")).isEqualTo(2);
    assertThat(watches.watchedBy("other", "alice@example.com")).isEqualTo(1);
    watches.end(bob.key());
    assertThat(watches.watchedBy(SERVER, "bob@example.com")).isZero();
  }

  @Test
  void claims_a_listed_transfer_only_for_its_own_sender_and_only_once() {
    onServer(SERVER, "a1", "alice@example.com");
    var key = new TransferKey(SERVER, "a1");

    assertThat(watches.claimListed(key, "mallory@example.com")).isEmpty();
    assertThat(watches.claimListed(key, "ALICE@example.com")).isPresent();
    assertThat(watches.claimListed(key, "alice@example.com")).isEmpty();
    assertThat(watches.claimListed(new TransferKey(SERVER, "unknown"), "alice@example.com"))
        .isEmpty();
  }

  @Test
  void counts_a_stuck_watch_once_until_it_ends() {
    var watch = add("t1", 1, 0);

    assertThat(watches.markStuck(watch)).isTrue();
    assertThat(watches.markStuck(watch)).isFalse();
    assertThat(watches.stuckCount()).isEqualTo(1);

    watches.end(watch.key());
    assertThat(watches.stuckCount()).isZero();
  }

  @Test
  void hands_out_snapshots_with_the_values_it_was_given() {
    var added = add("t1", 5, 2);

    var watch = watches.get(added.key()).orElseThrow();

    assertThat(watch.since()).isEqualTo(T0);
    assertThat(watch.deadline()).isEqualTo(T0.plus(Duration.ofHours(24)));
    assertThat(watch.nextPollAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(watch.statusUrl()).isEqualTo(PollerFixtures.watch("t1").statusUrl());
    assertThat(watch.sender()).isEqualTo(PollerFixtures.SENDER);
  }

  @Test
  void remembers_a_senders_last_sweep_only_while_the_sender_has_watches_here() {
    var first = onServer(SERVER, "t1", "bulk@example.com");
    watches.sweepStarted(SERVER, "bulk@example.com", T0);
    watches.sweepStarted(SERVER, "gone@example.com", T0);

    assertThat(watches.lastSweepStart(SERVER, "bulk@example.com")).isEqualTo(T0);
    assertThat(watches.lastSweepStart(SERVER, "gone@example.com")).isNull();
    assertThat(watches.senders()).isEqualTo(1);

    watches.end(first.key());
    assertThat(watches.senders()).isZero();
    onServer(SERVER, "t2", "bulk@example.com");
    assertThat(watches.lastSweepStart(SERVER, "bulk@example.com")).isNull();
  }

  @Test
  void forgets_that_a_watch_awaits_its_own_status_request_when_the_watch_leaves() {
    var watch = add("t1", 10, 0);
    var claimed = watches.claim(watch).orElseThrow();
    watches.awaitStatusRequest(claimed);
    watches.release(claimed);
    assertThat(watches.awaitingStatusRequest()).isEqualTo(1);

    watches.drop(0);
    var again = add("t1", 10, 0);

    assertThat(watches.awaitingStatusRequest()).isZero();
    assertThat(watches.takeStatusRequest(watches.claim(again).orElseThrow())).isFalse();
  }

  @Test
  void hands_out_the_status_request_mark_once() {
    var claimed = watches.claim(add("t1", 10, 0)).orElseThrow();
    watches.awaitStatusRequest(claimed);

    assertThat(watches.takeStatusRequest(claimed)).isTrue();
    assertThat(watches.takeStatusRequest(claimed)).isFalse();
    assertThat(watches.awaitingStatusRequest()).isZero();
  }

  @Test
  void keeps_a_watch_whose_times_lie_beyond_what_epoch_milliseconds_can_hold() {
    var w = PollerFixtures.watch("far");
    var far =
        new Watch(
            0,
            w.key(),
            w.sender(),
            w.statusUrl(),
            Instant.MIN,
            Instant.MAX,
            Instant.MAX,
            0,
            0,
            null,
            null);

    var added = watches.add(far, 0).orElseThrow();
    var claimed = watches.claim(added).orElseThrow();

    assertThat(watches.release(claimed.withNextPollAt(Instant.MAX))).isTrue();
    assertThat(watches.nextDue(SERVER, T0)).isNull();
    assertThat(watches.get(w.key()).orElseThrow().deadline())
        .isAfter(T0.plus(Duration.ofDays(36_500)));
  }
}

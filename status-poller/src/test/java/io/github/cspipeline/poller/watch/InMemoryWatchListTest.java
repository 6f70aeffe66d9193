package io.github.cspipeline.poller.watch;

import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.poller.PollerFixtures;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryWatchListTest {

  private final InMemoryWatchList watches = new InMemoryWatchList(2);

  @Test
  void lists_due_watches_most_overdue_first_and_up_to_the_limit() {
    watches.add(PollerFixtures.watch("late").withNextPollAt(T0.plusSeconds(30)));
    watches.add(PollerFixtures.watch("early").withNextPollAt(T0.plusSeconds(10)));
    watches.add(PollerFixtures.watch("future").withNextPollAt(T0.plusSeconds(90)));

    assertThat(watches.due(T0.plusSeconds(60), 10))
        .extracting(Watch::trackingId)
        .containsExactly("early", "late");
    assertThat(watches.due(T0.plusSeconds(60), 1))
        .extracting(Watch::trackingId)
        .containsExactly("early");
  }

  @Test
  void moves_a_watch_in_time_when_it_is_updated() {
    var watch = PollerFixtures.watch("t1");
    watches.add(watch);

    watches.update(watch.withNextPollAt(T0.plus(Duration.ofHours(1))));

    assertThat(watches.due(T0.plusSeconds(60), 10)).isEmpty();
    assertThat(watches.due(T0.plus(Duration.ofHours(1)), 10)).hasSize(1);
  }

  @Test
  void does_not_bring_back_an_ended_watch_by_an_update() {
    var watch = PollerFixtures.watch("t1");
    watches.add(watch);
    watches.end(watch.key());

    assertThat(watches.update(watch.withNextPollAt(T0))).isFalse();
    assertThat(watches.add(watch)).isFalse();
    assertThat(watches.size()).isZero();
  }

  @Test
  void forgets_the_oldest_ended_transfers_beyond_its_capacity() {
    watches.end(PollerFixtures.watch("t1").key());
    watches.end(PollerFixtures.watch("t2").key());
    watches.end(PollerFixtures.watch("t3").key());

    assertThat(watches.add(PollerFixtures.watch("t1"))).isTrue();
    assertThat(watches.add(PollerFixtures.watch("t3"))).isFalse();
  }
}

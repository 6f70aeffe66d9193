package io.github.cspipeline.poller.poll;

import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.poller.MutableClock;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.watch.InMemoryWatchList;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.Watch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class PollSchedulerTest {

  private final MutableClock clock = new MutableClock(T0);
  private final InMemoryWatchList watches = new InMemoryWatchList();
  private final List<TransferKey> polled = new ArrayList<>();
  private final List<Runnable> started = new ArrayList<>();

  /** Collects started polls instead of running them, so they stay in flight until run. */
  private final Executor holdingExecutor = started::add;

  private PollScheduler scheduler(int maxConcurrentPerServer) {
    StatusSource source =
        watch -> {
          polled.add(watch.key());
          return new PollOutcome.Answered(PollerFixtures.status("PROCESSING"));
        };
    var poller =
        new TransferPoller(
            watches,
            source,
            (event, traceparent) -> {},
            new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), 0, () -> 0),
            5,
            new PollerMetrics(new SimpleMeterRegistry()),
            clock);
    return new PollScheduler(
        watches, poller, clock, maxConcurrentPerServer, Duration.ofMillis(100), holdingExecutor);
  }

  private void watch(String server, String trackingId) {
    var watch = PollerFixtures.watch(trackingId);
    watches.add(
        new Watch(
            new TransferKey(server, trackingId),
            watch.sender(),
            watch.statusUrl(),
            watch.since(),
            watch.deadline(),
            watch.nextPollAt(),
            0,
            0,
            null,
            null));
  }

  private void runStarted() {
    var batch = List.copyOf(started);
    started.clear();
    batch.forEach(Runnable::run);
  }

  @Test
  void starts_no_poll_before_it_is_due() {
    var scheduler = scheduler(8);
    watch("default", "t1");

    clock.set(T0.plusMillis(999));

    assertThat(scheduler.dispatchDue()).isZero();
  }

  @Test
  void starts_a_poll_once_the_clock_reaches_its_time() {
    var scheduler = scheduler(8);
    watch("default", "t1");
    clock.set(T0.plusSeconds(1));

    assertThat(scheduler.dispatchDue()).isEqualTo(1);
    runStarted();

    assertThat(polled).containsExactly(new TransferKey("default", "t1"));
    assertThat(watches.get(new TransferKey("default", "t1")).orElseThrow().nextPollAt())
        .isEqualTo(T0.plusSeconds(3));
  }

  @Test
  void caps_concurrent_polls_per_server_and_leaves_the_rest_due() {
    var scheduler = scheduler(2);
    for (int i = 0; i < 5; i++) {
      watch("busy", "b" + i);
    }
    watch("quiet", "q0");
    clock.set(T0.plusSeconds(1));

    assertThat(scheduler.dispatchDue()).isEqualTo(3);
    assertThat(scheduler.inFlight()).isEqualTo(3);
    assertThat(scheduler.dispatchDue()).as("server at its cap").isZero();

    runStarted();
    assertThat(scheduler.inFlight()).isZero();
    assertThat(scheduler.dispatchDue()).isEqualTo(2);
    runStarted();
    assertThat(scheduler.dispatchDue()).isEqualTo(1);
    runStarted();

    assertThat(polled).hasSize(6).doesNotHaveDuplicates();
  }

  @Test
  void never_starts_a_second_poll_of_a_transfer_whose_poll_is_running() {
    var scheduler = scheduler(8);
    watch("default", "t1");
    clock.set(T0.plusSeconds(1));

    assertThat(scheduler.dispatchDue()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));

    assertThat(scheduler.dispatchDue()).isZero();
  }

  @Test
  void starts_nothing_for_a_transfer_that_ended() {
    var scheduler = scheduler(8);
    watch("default", "t1");
    watches.end(new TransferKey("default", "t1"));
    clock.set(T0.plusSeconds(1));

    assertThat(scheduler.dispatchDue()).isZero();
  }

  @Test
  void lifecycle_starts_and_stops_the_ticker() {
    var scheduler = scheduler(8);

    scheduler.start();
    assertThat(scheduler.isRunning()).isTrue();
    scheduler.stop();

    assertThat(scheduler.isRunning()).isFalse();
  }
}

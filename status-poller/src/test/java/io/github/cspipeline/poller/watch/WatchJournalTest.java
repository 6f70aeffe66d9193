package io.github.cspipeline.poller.watch;

import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.error.PublishException;
import io.github.cspipeline.poller.poll.Backoff;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Taking partitions over: the journal with a mock producer and a scripted watch topic. */
class WatchJournalTest {

  /** Long enough that writes queued back to back surely share a round. */
  private static final Duration LINGER = Duration.ofMillis(500);

  private final MutableClock clock = new MutableClock(T0.plus(Duration.ofMinutes(10)));
  private final WatchIndex index = new WatchIndex();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<WatchRecord> topic = new CopyOnWriteArrayList<>();
  private final AtomicInteger loadFailuresLeft = new AtomicInteger();
  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicBoolean failCommitsOfNextProducer = new AtomicBoolean();

  private final WatchJournal journal = journal();

  private WatchJournal journal() {
    var backoff = new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0, () -> 0);
    var keeper =
        new WatchKeeper(
            index,
            Set.of(PollerFixtures.SERVER),
            (server, sender, trackingId) ->
                PollerFixtures.statusUrl(PollerFixtures.BASE_URL, sender, trackingId),
            Duration.ofMinutes(10),
            Duration.ofSeconds(1),
            Duration.ofHours(24),
            new WatchKeeper.Resumption(backoff::pollsWithin, polls -> backoff.after(polls, null)),
            () -> 0.999,
            PollTracing.NOOP,
            clock);
    WatchJournal.Loader loader =
        (name, partition, sink) -> {
          loads.incrementAndGet();
          if (loadFailuresLeft.getAndDecrement() > 0) {
            throw new TimeoutException("the broker is restarting");
          }
          for (var record : topic) {
            sink.accept(
                WatchRecord.keyOf(record.key()), WireFormat.mapper().writeValueAsBytes(record));
          }
        };
    return new WatchJournal(
        "events",
        "watches",
        "test",
        index,
        keeper,
        transactionalId -> {
          var producer =
              new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
          if (failCommitsOfNextProducer.getAndSet(false)) {
            producer.commitTransactionException = new TimeoutException("awaiting EndTxn");
          }
          return producer;
        },
        loader,
        partition -> {},
        registry,
        clock,
        LINGER);
  }

  @AfterEach
  void stop() {
    journal.stop();
  }

  private WatchRecord recordOf(String trackingId) {
    return WatchRecord.of(PollerFixtures.watch(trackingId), T0);
  }

  @Test
  void loads_a_partition_whose_load_failed_at_assignment_again_without_waiting_for_an_event() {
    topic.add(recordOf("t1"));
    topic.add(recordOf("t2"));
    loadFailuresLeft.set(2);
    journal.start();

    journal.assigned(List.of(0));
    assertThat(journal.isOpen(0)).isFalse();
    assertThat(gauge("cryptshare.poller.partitions.loading")).isEqualTo(1);

    // Retried after 1 s, then 2 s: well within the bound of 10 s between two tries.
    await().atMost(Duration.ofSeconds(10)).until(() -> journal.isOpen(0));
    assertThat(loads).hasValue(3);
    assertThat(index.size()).isEqualTo(2);
    for (var key : index.keys()) {
      // Polled within one poll interval (at most the backoff's cap) of the load.
      assertThat(index.get(key).orElseThrow().nextPollAt())
          .isBeforeOrEqualTo(clock.instant().plusSeconds(30));
    }
    assertThat(gauge("cryptshare.poller.partitions.loading")).isZero();
  }

  @Test
  void a_watch_record_with_times_far_out_of_the_ordinary_does_not_keep_its_partition_closed() {
    var watch = PollerFixtures.watch("t-far");
    var farFuture = Instant.parse("+300000000-01-01T00:00:00Z");
    topic.add(
        new WatchRecord(
            WatchRecord.SCHEMA_VERSION,
            watch.server(),
            watch.sender(),
            watch.trackingId(),
            watch.statusUrl(),
            farFuture,
            farFuture,
            Instant.parse("-100000-01-01T00:00:00Z"),
            null));
    topic.add(recordOf("t-normal"));
    journal.start();

    journal.assigned(List.of(0));

    assertThat(journal.isOpen(0)).isTrue();
    assertThat(index.size()).isEqualTo(2);
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void writes_queued_within_the_linger_share_one_transaction() {
    journal.start();
    journal.assigned(List.of(0));
    var first = new PartitionChanges(0);
    first.start(PollerFixtures.watch("t1"));
    first.handledUpTo(1);
    var second = new PartitionChanges(0);
    second.start(PollerFixtures.watch("t2"));
    second.handledUpTo(2);

    var recorded = List.of(journal.recordLater(first, null), journal.recordLater(second, null));
    recorded.forEach(done -> journal.awaitRecorded(done, 0));

    assertThat(index.size()).isEqualTo(2);
    assertThat(registry.get("cryptshare.poller.transactions").tag("outcome", "committed").counter())
        .extracting(c -> c.count())
        .isEqualTo(1.0);
  }

  @Test
  void a_failed_transaction_fails_its_writes_and_the_partition_is_loaded_again_from_the_topic() {
    failCommitsOfNextProducer.set(true);
    journal.start();
    journal.assigned(List.of(0));
    var changes = new PartitionChanges(0);
    changes.start(PollerFixtures.watch("t1"));
    changes.handledUpTo(1);

    // Not retried: nobody knows what the failed commit left, the watch topic does.
    assertThatThrownBy(() -> journal.record(changes, null)).isInstanceOf(PublishException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() == 2 && journal.isOpen(0));
    // Counted once the callers are told, before the reload is scheduled.
    assertThat(registry.get("cryptshare.poller.transactions").tag("outcome", "failed").counter())
        .extracting(c -> c.count())
        .isEqualTo(1.0);
    assertThat(index.size()).isZero();

    var again = new PartitionChanges(0);
    again.start(PollerFixtures.watch("t1"));
    again.handledUpTo(1);
    journal.record(again, null);
    assertThat(index.size()).isEqualTo(1);
  }
}

package io.github.cspipeline.poller.poll;

import static io.github.cspipeline.poller.PollerFixtures.SERVER;
import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.error.PublishException;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.TerminalPublisher;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.github.cspipeline.testkit.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TransferPollerTest {

  private static final String ID = "20261126-101500-AbCdEfGh";
  private static final TransferKey KEY = new TransferKey(SERVER, ID);
  private static final int NOT_FOUND_LIMIT = 3;

  private final MutableClock clock = new MutableClock(T0);
  private final WatchIndex watches = new WatchIndex();
  private final Deque<StatusSource> answers = new ArrayDeque<>();
  private final RecordingPublisher publisher = new RecordingPublisher();

  /** Fails the next registration of the polls counter: a fault in the middle of a decision. */
  private boolean failPollCountOnce;

  private final SimpleMeterRegistry registry =
      new SimpleMeterRegistry() {
        @Override
        protected Counter newCounter(Meter.Id id) {
          if (failPollCountOnce && id.getName().equals(PollerMetrics.POLLS)) {
            failPollCountOnce = false;
            throw new IllegalStateException("metrics backend failed");
          }
          return super.newCounter(id);
        }
      };
  private final TransferPoller poller =
      new TransferPoller(
          watches,
          watch -> answers.isEmpty() ? fail("no answer scripted") : answers.poll().check(watch),
          publisher,
          new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.2, () -> 0.0),
          NOT_FOUND_LIMIT,
          Duration.ofHours(1),
          new PollerMetrics(registry),
          PollTracing.NOOP,
          clock);

  private static PollOutcome fail(String message) {
    throw new AssertionError(message);
  }

  /** Publishes and ends the watch as the journal does, or fails as Kafka may. */
  private final class RecordingPublisher implements TerminalPublisher {
    final List<TransferEvent> published = new ArrayList<>();
    int failuresLeft;
    int refusalsLeft;

    @Override
    public boolean publishTerminal(Watch watch, TransferEvent event, @Nullable String traceparent) {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new PublishException(event, new IllegalStateException("broker down"));
      }
      if (refusalsLeft > 0) {
        // As the journal answers while the watch's partition is not (or no longer) open here.
        refusalsLeft--;
        return false;
      }
      if (watches.partitionOf(watch) < 0) {
        return false;
      }
      published.add(event);
      watches.end(watch.key());
      return true;
    }
  }

  @BeforeEach
  void watchTheTransfer() {
    watches.add(PollerFixtures.watch(ID), 0);
  }

  private void answer(PollOutcome... outcomes) {
    for (var outcome : outcomes) {
      answers.add(watch -> outcome);
    }
  }

  private void pollAt(Instant now) {
    clock.set(now);
    watches.get(KEY).flatMap(watches::claim).ifPresent(poller::poll);
  }

  private Watch watch() {
    return watches.get(KEY).orElseThrow();
  }

  private double polls(String outcome) {
    var counter =
        registry.find(PollerMetrics.POLLS).tag("server", SERVER).tag("outcome", outcome).counters();
    return counter.stream().mapToDouble(c -> c.count()).sum();
  }

  /** The one terminal event published so far. */
  private TransferEvent published() {
    assertThat(publisher.published).hasSize(1);
    return publisher.published.getFirst();
  }

  /** The one event published so far, an abandonment with the given error code. */
  private TransferEvent abandoned(String errorCode) {
    var event = published();
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error()).extracting(TransferError::code).isEqualTo(errorCode);
    return event;
  }

  private double stuckDetected() {
    var counter = registry.find(PollerMetrics.STUCK_DETECTED).tag("server", SERVER).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void publishes_one_active_event_with_recipients_and_the_deterministic_event_id() {
    answer(new PollOutcome.Answered(PollerFixtures.active(ID)));

    pollAt(T0.plusSeconds(1));

    assertThat(publisher.published)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
              assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
              assertThat(event.eventId())
                  .isEqualTo(TransferEvent.eventIdOf(SERVER, ID, TransferState.ACTIVE));
              assertThat(event.occurredAt()).isEqualTo(T0.plusSeconds(1));
              assertThat(event.statusUrl()).isEqualTo(PollerFixtures.watch(ID).statusUrl());
              assertThat(event.cryptshareState()).isEqualTo("ACTIVE");
              assertThat(event.warnings()).isTrue();
              assertThat(event.recipients())
                  .singleElement()
                  .satisfies(
                      r ->
                          assertThat(r.downloadUrl())
                              .isEqualTo(
                                  URI.create("https://cs.example.com/download/" + ID + "/bob")));
              assertThat(event.error()).isNull();
            });
    assertThat(watches.get(KEY)).isEmpty();
    assertThat(polls("terminal")).isEqualTo(1);
    var timeToTerminal =
        registry.find(PollerMetrics.TIME_TO_TERMINAL).tag("state", "ACTIVE").timer();
    assertThat(timeToTerminal).isNotNull();
    assertThat(timeToTerminal.count()).isEqualTo(1);
  }

  @Test
  void keeps_watching_while_cryptshare_is_processing_and_backs_off_exponentially() {
    answer(
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")));

    pollAt(T0.plusSeconds(1));
    assertThat(watch().nextPollAt()).isEqualTo(T0.plusSeconds(3));
    pollAt(T0.plusSeconds(3));
    assertThat(watch().nextPollAt()).isEqualTo(T0.plusSeconds(7));
    pollAt(T0.plusSeconds(7));
    assertThat(watch().nextPollAt()).isEqualTo(T0.plusSeconds(15));

    assertThat(publisher.published).isEmpty();
    assertThat(watch().polls()).isEqualTo(3);
    assertThat(watch().lastCryptshareState()).isEqualTo("PROCESSING");
    assertThat(polls("processing")).isEqualTo(3);
  }

  @Test
  void keeps_watching_a_pending_transfer() {
    answer(new PollOutcome.Answered(PollerFixtures.status("PENDING")));

    pollAt(T0.plusSeconds(1));

    assertThat(publisher.published).isEmpty();
    assertThat(watch().nextPollAt()).isAfter(T0.plusSeconds(1));
  }

  @Test
  void keeps_watching_a_state_it_does_not_know_and_counts_it() {
    answer(new PollOutcome.Answered(PollerFixtures.status("QUARANTINED")));

    pollAt(T0.plusSeconds(1));

    assertThat(publisher.published).isEmpty();
    assertThat(watch().lastCryptshareState()).isEqualTo("QUARANTINED");
    assertThat(polls("unknown_state")).isEqualTo(1);
  }

  @ParameterizedTest(name = "publishes {1} with the Cryptshare state {0} that says how")
  @CsvSource({
    "FAILED, FAILED", // Cryptshare's processing failed
    "DELETED_BY_REVOCATION, DELETED"
  })
  void publishes_a_terminal_state_with_the_cryptshare_state_that_says_how(
      String cryptshareState, TransferState expected) {
    answer(new PollOutcome.Answered(PollerFixtures.status(cryptshareState)));

    pollAt(T0.plusSeconds(1));

    var event = published();
    assertThat(event.state()).isEqualTo(expected);
    assertThat(event.cryptshareState()).isEqualTo(cryptshareState);
    assertThat(event.eventId()).isEqualTo(TransferEvent.eventIdOf(SERVER, ID, expected));
  }

  @Test
  void polls_one_last_time_at_the_deadline_and_then_abandons_the_transfer() {
    var deadline = T0.plus(Duration.ofHours(24));
    answer(
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")));

    pollAt(deadline.minusSeconds(1));
    assertThat(watch().nextPollAt()).isEqualTo(deadline);
    pollAt(deadline);

    var event = abandoned(TransferPoller.WATCH_DEADLINE_PASSED);
    assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.cryptshareState()).isEqualTo("PROCESSING");
    assertThat(event.error().message()).contains("PT24H");
    assertThat(watches.size()).isZero();
  }

  @Test
  void counts_a_transfer_past_the_stuck_threshold_once_and_keeps_watching_it() {
    answer(
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        new PollOutcome.Answered(PollerFixtures.active(ID)));

    pollAt(T0.plus(Duration.ofMinutes(59)));
    assertThat(watches.stuckCount()).as("not yet past 1 h").isZero();
    pollAt(T0.plus(Duration.ofMinutes(61)));
    pollAt(watch().nextPollAt());

    assertThat(watches.stuckCount()).isEqualTo(1);
    assertThat(stuckDetected()).as("once per transfer").isEqualTo(1);
    assertThat(publisher.published).isEmpty();

    pollAt(watch().nextPollAt());
    assertThat(published().state()).isEqualTo(TransferState.ACTIVE);
    assertThat(watches.stuckCount()).as("ended").isZero();
  }

  @Test
  void counts_a_stuck_transfer_also_when_the_sender_list_settles_it() {
    clock.set(T0.plus(Duration.ofHours(2)));

    poller.actOnListed(watches.claim(watch()).orElseThrow(), "PROCESSING");

    assertThat(watches.stuckCount()).isEqualTo(1);
    assertThat(stuckDetected()).isEqualTo(1);
  }

  @Test
  void abandons_a_transfer_the_sender_list_still_shows_processing_at_its_deadline() {
    clock.set(T0.plus(Duration.ofHours(24)));

    poller.actOnListed(watches.claim(watch()).orElseThrow(), "PROCESSING");

    assertThat(abandoned(TransferPoller.WATCH_DEADLINE_PASSED).eventId())
        .isEqualTo(TransferEvent.eventIdOf(SERVER, ID, TransferState.ABANDONED));
  }

  @Test
  void publishes_the_terminal_state_found_at_the_deadline_rather_than_abandoning() {
    answer(new PollOutcome.Answered(PollerFixtures.active(ID)));

    pollAt(T0.plus(Duration.ofHours(25)));

    assertThat(published().state()).isEqualTo(TransferState.ACTIVE);
  }

  @Test
  void abandons_when_every_poll_fails_until_the_deadline() {
    answer(new PollOutcome.Failed("403 not licensed"));

    pollAt(T0.plus(Duration.ofHours(24)));

    assertThat(abandoned(TransferPoller.WATCH_DEADLINE_PASSED).error().message())
        .contains("403 not licensed");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // description, status, Retry-After (s), poll at (s after T0), next poll expected at (s)
    "honours the retry-after of a busy server, 429, 45, 1, 46",
    "backs off after a transient failure without retry-after, 503, , 1, 3",
    "never schedules a poll after the deadline even for a long retry-after, 429, 7200, 82800, 86400"
  })
  void schedules_the_next_poll_after_a_transient_failure(
      String description,
      String status,
      @Nullable Long retryAfterSeconds,
      long pollAtSeconds,
      long nextPollAtSeconds) {
    answer(
        new PollOutcome.Retry(
            status, retryAfterSeconds == null ? null : Duration.ofSeconds(retryAfterSeconds)));

    pollAt(T0.plusSeconds(pollAtSeconds));

    assertThat(watch().nextPollAt()).isEqualTo(T0.plusSeconds(nextPollAtSeconds));
    assertThat(polls("transient")).isEqualTo(1);
  }

  @Test
  void abandons_a_transfer_cryptshare_does_not_know_after_the_not_found_limit() {
    var notFound = new PollOutcome.NotFound(404, 2003, "entity does not exist");
    answer(notFound, notFound, notFound);

    pollAt(T0.plusSeconds(1));
    pollAt(T0.plusSeconds(3));
    assertThat(publisher.published).isEmpty();
    pollAt(T0.plusSeconds(7));

    assertThat(abandoned(TransferPoller.TRANSFER_NOT_FOUND).error())
        .extracting(TransferError::httpStatus, TransferError::cryptshareErrorCode)
        .containsExactly(404, 2003);
    assertThat(polls("not_found")).isEqualTo(3);
  }

  @Test
  void an_answer_between_404s_starts_the_not_found_count_afresh() {
    var notFound = new PollOutcome.NotFound(404, 2003, "entity does not exist");
    answer(
        notFound,
        notFound,
        new PollOutcome.Answered(PollerFixtures.status("PROCESSING")),
        notFound,
        notFound);

    for (int i = 1; i <= 5; i++) {
      pollAt(watch().nextPollAt());
    }

    assertThat(publisher.published).isEmpty();
    assertThat(watch().notFoundInARow()).isEqualTo(2);
  }

  @Test
  void abandons_a_transfer_whose_status_url_leaves_the_server() {
    answer(new PollOutcome.ForeignStatusUrl("outside the origin"));

    pollAt(T0.plusSeconds(1));

    abandoned(TransferPoller.FOREIGN_STATUS_URL);
    assertThat(polls("foreign_status_url")).isEqualTo(1);
  }

  @Test
  void publishes_nothing_when_a_terminal_event_ended_the_watch_during_the_poll() {
    answers.add(
        watch -> {
          watches.end(KEY);
          return new PollOutcome.Answered(PollerFixtures.active(ID));
        });

    pollAt(T0.plusSeconds(1));

    assertThat(publisher.published).isEmpty();
  }

  @Test
  void does_not_poll_a_transfer_that_is_no_longer_watched() {
    watches.end(KEY);

    pollAt(T0.plusSeconds(1));

    assertThat(answers).isEmpty();
    assertThat(publisher.published).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "keeps the watch when publishing fails and publishes at a later poll, true",
    "polls again a watch whose terminal event the journal did not take while it is still watched,"
        + " false"
  })
  void keeps_the_watch_when_the_terminal_event_is_not_published_and_publishes_at_a_later_poll(
      String description, boolean publishingFails) {
    if (publishingFails) {
      publisher.failuresLeft = 1;
    } else {
      publisher.refusalsLeft = 1;
    }
    answer(
        new PollOutcome.Answered(PollerFixtures.active(ID)),
        new PollOutcome.Answered(PollerFixtures.active(ID)));

    pollAt(T0.plusSeconds(1));
    assertThat(publisher.published).isEmpty();
    assertThat(watch().nextPollAt()).isEqualTo(T0.plusSeconds(3));
    pollAt(T0.plusSeconds(3));

    assertThat(publisher.published).hasSize(1);
    assertThat(watches.size()).isZero();
  }

  @Test
  void survives_a_status_source_that_throws_and_polls_again_later() {
    answers.add(
        watch -> {
          throw new IllegalStateException("bug");
        });

    pollAt(T0.plusSeconds(1));

    assertThat(watch().nextPollAt()).isAfter(T0.plusSeconds(1));
    assertThat(publisher.published).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MAX_VALUE, 1_000_000_000_000L})
  void polls_again_within_an_hour_whatever_retry_after_the_server_sent(long seconds) {
    answer(
        new PollOutcome.Retry("429", Duration.ofSeconds(seconds)),
        new PollOutcome.Answered(PollerFixtures.active(ID)));

    pollAt(T0.plusSeconds(1));
    assertThat(watch().nextPollAt()).isEqualTo(T0.plusSeconds(1).plus(Duration.ofHours(1)));
    pollAt(watch().nextPollAt());

    assertThat(published().state()).isEqualTo(TransferState.ACTIVE);
  }

  @Test
  void polls_again_later_not_at_once_when_acting_on_a_listed_state_fails() {
    failPollCountOnce = true;
    clock.set(T0.plusSeconds(1));

    poller.actOnListed(watches.claim(watch()).orElseThrow(), "PROCESSING");

    assertThat(watch().nextPollAt()).isAfter(clock.instant());
    assertThat(watches.claim(watch())).as("back in the schedule").isPresent();
  }

  @Test
  void ends_a_watch_of_a_server_without_configuration_abandoned_without_asking_cryptshare() {
    var unconfigured =
        watches
            .add(
                new Watch(
                    0,
                    new TransferKey("elsewhere", ID),
                    PollerFixtures.SENDER,
                    URI.create("/api/users/alice@example.com/transfers/" + ID),
                    T0,
                    T0.plus(Duration.ofHours(24)),
                    T0.plus(Duration.ofMinutes(10)),
                    0,
                    0,
                    null,
                    null),
                0)
            .orElseThrow();
    clock.set(T0.plus(Duration.ofMinutes(10)));

    poller.serverNotConfigured(watches.claim(unconfigured).orElseThrow());

    var event = abandoned(TransferPoller.SERVER_NOT_CONFIGURED);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf("elsewhere", ID, TransferState.ABANDONED));
    assertThat(event.occurredAt()).isEqualTo(clock.instant());
    assertThat(event.statusUrl())
        .as("only the path was known: not a URL a consumer could use")
        .isNull();
    assertThat(event.error().httpStatus()).isNull();
    assertThat(answers).isEmpty();
  }
}

package io.github.cspipeline.poller.poll;

import static io.github.cspipeline.poller.PollerFixtures.SENDER;
import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.cryptshare.HttpAnswer;
import io.github.cspipeline.cryptshare.TransferSummary;
import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.cryptshare.budget.RequestBudgets;
import io.github.cspipeline.cryptshare.budget.RequestRate;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.OtelTracing;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.github.cspipeline.testkit.MutableClock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PollSchedulerTest {

  private final MutableClock clock = new MutableClock(T0);
  private final WatchIndex watches = new WatchIndex();
  private final List<TransferKey> polled = new ArrayList<>();
  private final List<String> listed = new ArrayList<>();
  private final List<TransferEvent> published = new ArrayList<>();
  private final List<Runnable> started = new ArrayList<>();
  private final Map<String, List<TransferSummary>> lists = new HashMap<>();
  private final Map<String, PollOutcome> answers = new HashMap<>();

  /** Fails the next registration of the schedule-lag timer: a fault in the middle of a poll. */
  private boolean failScheduleLagOnce;

  private final SimpleMeterRegistry registry =
      new SimpleMeterRegistry() {
        @Override
        protected Timer newTimer(
            Meter.Id id,
            DistributionStatisticConfig distributionStatisticConfig,
            PauseDetector pauseDetector) {
          if (failScheduleLagOnce && id.getName().equals(PollerMetrics.SCHEDULE_LAG)) {
            failScheduleLagOnce = false;
            throw new IllegalStateException("metrics backend failed");
          }
          return super.newTimer(id, distributionStatisticConfig, pauseDetector);
        }
      };

  /** A transfer whose watch ends (by another publisher's event) while its sender's list is read. */
  private final Map<String, TransferKey> endWhenListed = new HashMap<>();

  /** List pages from this one on throw, as a bug in the list request would. */
  private int listThrowsFromPage = Integer.MAX_VALUE;

  /** With a real tracer: the trace id each request ran in, and each event's traceparent. */
  private @Nullable OtelTracing otel;

  private final Map<String, @Nullable String> requestTraces = new HashMap<>();
  private final Map<String, @Nullable String> eventTraceparents = new HashMap<>();

  /** How many started polls were waiting to run when each terminal event was published. */
  private final List<Integer> startedWhenPublished = new ArrayList<>();

  /** Collects started polls instead of running them, so they stay in flight until run. */
  private final Executor holdingExecutor = started::add;

  private final Map<String, URI> servers =
      Map.of(
          "default", URI.create("https://cs.example.com"),
          "busy", URI.create("https://busy.example.com"),
          "quiet", URI.create("https://quiet.example.com"));
  private RequestBudgets budgets;

  /** Passes the budgets as a real request would, so that the rate cap applies. */
  private void request(String server) {
    try {
      budgets.intercept(
          new HttpGet(servers.get(server).resolve("/api/x")),
          request -> new HttpAnswer(200, new byte[0], null, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final StatusSource source =
      new StatusSource() {
        @Override
        public PollOutcome check(Watch watch) {
          request(watch.server());
          polled.add(watch.key());
          traced("status " + watch.trackingId());
          return answers.getOrDefault(
              watch.trackingId(), new PollOutcome.Answered(PollerFixtures.status("PROCESSING")));
        }

        @Override
        public ListOutcome list(String server, String sender, int page, int pageSize) {
          if (page >= listThrowsFromPage) {
            throw new IllegalStateException("bug in the list request");
          }
          request(server);
          listed.add(sender + "#" + page);
          var ending = endWhenListed.remove(sender);
          if (ending != null) {
            watches.end(ending);
          }
          traced("list " + sender);
          var rows = lists.getOrDefault(sender, List.of());
          int from = Math.min(rows.size(), (page - 1) * pageSize);
          return new ListOutcome.Page(rows.subList(from, Math.min(rows.size(), from + pageSize)));
        }
      };

  private PollScheduler scheduler(int maxConcurrentPerServer, int perSecond, boolean bulk) {
    var metrics = new PollerMetrics(registry);
    var poller =
        new TransferPoller(
            watches,
            source,
            (watch, event, traceparent) -> {
              startedWhenPublished.add(started.size());
              published.add(event);
              eventTraceparents.put(event.trackingId(), traceparent);
              return watches.end(watch.key());
            },
            new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), 0, () -> 0),
            5,
            Duration.ofHours(1),
            metrics,
            tracing(),
            clock);
    // The budgets' time is the test's clock, as the scheduler's is.
    budgets =
        new RequestBudgets(
            servers,
            ids ->
                new RequestBudget(
                    new RequestRate(perSecond, RequestRate.GUARD, RequestRate.nanoTimeOf(clock)),
                    Bulkhead.of(
                        ids.getFirst(),
                        BulkheadConfig.custom()
                            .maxConcurrentCalls(maxConcurrentPerServer)
                            .maxWaitDuration(Duration.ZERO)
                            .build())));
    return new PollScheduler(
        watches,
        poller,
        new SenderSweep(watches, source, 3, 5, metrics),
        new PollScheduler.Bulk(bulk, 3),
        budgets,
        clock,
        Duration.ofMillis(100),
        holdingExecutor,
        metrics,
        tracing());
  }

  private PollScheduler scheduler(int maxConcurrentPerServer) {
    return scheduler(maxConcurrentPerServer, 1_000, false);
  }

  private void traced(String request) {
    if (otel != null) {
      requestTraces.put(request, otel.currentTraceId());
    }
  }

  private PollTracing tracing() {
    return otel == null ? PollTracing.NOOP : otel.pollTracing();
  }

  private Watch watch(String server, String trackingId, String sender) {
    return watch(server, trackingId, sender, null, Duration.ofHours(24));
  }

  private Watch watch(
      String server,
      String trackingId,
      String sender,
      @Nullable String traceparent,
      Duration watchedFor) {
    return watches
        .add(PollerFixtures.watch(server, trackingId, sender, watchedFor, traceparent), 0)
        .orElseThrow();
  }

  private Watch watchDueAt(String trackingId, String sender, Instant nextPollAt) {
    return watches
        .add(PollerFixtures.watch("default", trackingId, sender).withNextPollAt(nextPollAt), 0)
        .orElseThrow();
  }

  private Watch watch(String server, String trackingId) {
    return watch(server, trackingId, SENDER);
  }

  /** Sets the clock to {@code at} and runs the polls due then, and all they start, to the end. */
  private void runDue(PollScheduler scheduler, Instant at) {
    clock.set(at);
    scheduler.dispatchDue();
    runStarted();
  }

  private void runStarted() {
    while (!started.isEmpty()) {
      var batch = List.copyOf(started);
      started.clear();
      batch.forEach(Runnable::run);
    }
  }

  /**
   * Runs the polls due at T0 + 1 s, the sender's list showing s1 ACTIVE and s0, s2 PROCESSING; s1's
   * own status request answers ACTIVE.
   */
  private void sweepShowingS1Active(PollScheduler scheduler, String sender) {
    lists.put(
        sender, List.of(row("s2", "PROCESSING"), row("s1", "ACTIVE"), row("s0", "PROCESSING")));
    answers.put("s1", new PollOutcome.Answered(PollerFixtures.active("s1")));
    runDue(scheduler, T0.plusSeconds(1));
  }

  private static TransferSummary row(String trackingId, String state) {
    return new TransferSummary(trackingId, state);
  }

  @Test
  void starts_no_poll_before_it_is_due() {
    var scheduler = scheduler(8);
    watch("default", "t1");

    clock.set(T0.plusMillis(999));

    assertThat(scheduler.dispatchDue()).isZero();
  }

  @Test
  void starts_a_poll_once_the_clock_reaches_its_time_and_records_how_late_it_started() {
    var scheduler = scheduler(8);
    watch("default", "t1");
    clock.set(T0.plusSeconds(1).plusMillis(250));

    assertThat(scheduler.dispatchDue()).isEqualTo(1);
    runStarted();

    assertThat(polled).containsExactly(new TransferKey("default", "t1"));
    assertThat(watches.get(new TransferKey("default", "t1")).orElseThrow().nextPollAt())
        .isEqualTo(clock.instant().plusSeconds(2));
    var lag = registry.find(PollerMetrics.SCHEDULE_LAG).tag("server", "default").timer();
    assertThat(lag.count()).isEqualTo(1);
    assertThat(lag.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(250);
  }

  @Test
  void the_next_due_poll_starts_while_a_finished_one_still_publishes_its_terminal_event() {
    var scheduler = scheduler(1);
    watch("default", "t1");
    watch("default", "t2");
    answers.put("t1", new PollOutcome.Answered(PollerFixtures.active("t1")));
    answers.put("t2", new PollOutcome.Answered(PollerFixtures.active("t2")));
    clock.set(T0.plusSeconds(1));
    assertThat(scheduler.dispatchDue()).as("one at a time").isEqualTo(1);

    var first = List.copyOf(started);
    started.clear();
    first.forEach(Runnable::run);

    // Publishing waits for the journal's round; the server's one permit is free by then.
    assertThat(startedWhenPublished)
        .as("the other due poll started before the first one's terminal event was published")
        .containsExactly(1);
    runStarted();
    assertThat(published).hasSize(2);
    assertThat(scheduler.inFlight()).isZero();
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

    // Each finished poll looks for the next due one of its server at once.
    runStarted();

    assertThat(scheduler.inFlight()).isZero();
    assertThat(polled).hasSize(6).doesNotHaveDuplicates();
  }

  @Test
  void paces_the_requests_to_each_server_to_its_rate_cap() {
    var scheduler = scheduler(100, 4, false);
    for (int i = 0; i < 5; i++) {
      watch("busy", "b" + i);
    }
    watch("quiet", "q0");
    clock.set(T0.plusSeconds(1));
    // Four a second, with the guard: one every (1 s + guard) / 4.
    var interval = Duration.ofSeconds(1).plus(RequestRate.GUARD).dividedBy(4);

    assertThat(scheduler.dispatchDue()).as("one per server").isEqualTo(2);
    runStarted();
    clock.advance(interval.minusMillis(1));
    assertThat(scheduler.dispatchDue()).isZero();

    clock.advance(Duration.ofMillis(1));
    assertThat(scheduler.dispatchDue()).isEqualTo(1);
    runStarted();
    assertThat(polled).hasSize(3);
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
  void pauses_a_server_that_sent_retry_after_and_only_that_server() {
    var scheduler = scheduler(1);
    answers.put("b0", new PollOutcome.Retry("429", Duration.ofSeconds(5)));
    watch("busy", "b0");
    watch("busy", "b1");
    runDue(scheduler, T0.plusSeconds(1));
    assertThat(polled).containsExactly(new TransferKey("busy", "b0"));

    watch("quiet", "q0");
    clock.advance(Duration.ofSeconds(4));
    scheduler.dispatchDue();
    runStarted();
    assertThat(polled).doesNotContain(new TransferKey("busy", "b1"));
    assertThat(polled).contains(new TransferKey("quiet", "q0"));

    clock.advance(Duration.ofSeconds(1));
    scheduler.dispatchDue();
    runStarted();
    assertThat(polled).contains(new TransferKey("busy", "b1"));
  }

  @Test
  void settles_the_watches_of_a_sender_with_many_from_the_transfer_list() {
    var scheduler = scheduler(8, 1_000, true);
    var sender = "bulk@example.com";
    for (int i = 0; i < 5; i++) {
      watch("default", "s" + i, sender);
    }
    lists.put(
        sender,
        List.of(
            row("other-transfer", "ACTIVE"),
            row("s4", "PROCESSING"),
            row("s3", "PROCESSING"),
            row("s2", "PROCESSING"),
            row("s1", "PROCESSING"),
            row("s0", "PROCESSING")));
    runDue(scheduler, T0.plusSeconds(1));

    assertThat(listed).containsExactly(sender + "#1", sender + "#2");
    assertThat(polled).as("no status request").isEmpty();
    for (int i = 0; i < 5; i++) {
      var watch = watches.get(new TransferKey("default", "s" + i)).orElseThrow();
      assertThat(watch.polls()).isEqualTo(1);
      assertThat(watch.nextPollAt()).isEqualTo(clock.instant().plusSeconds(2));
    }
    assertThat(
            registry
                .find(PollerMetrics.POLLS)
                .tag("mode", "bulk")
                .tag("outcome", "processing")
                .counter()
                .count())
        .isEqualTo(5);
  }

  @Test
  void confirms_a_transfer_the_list_shows_terminal_with_its_own_status_request() {
    var scheduler = scheduler(8, 1_000, true);
    var sender = "bulk@example.com";
    for (int i = 0; i < 3; i++) {
      watch("default", "s" + i, sender);
    }
    sweepShowingS1Active(scheduler, sender);

    assertThat(listed).containsExactly(sender + "#1");
    assertThat(polled).containsExactly(new TransferKey("default", "s1"));
    assertThat(published)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.trackingId()).isEqualTo("s1");
              assertThat(event.recipients()).isNotEmpty();
            });
  }

  @Test
  void every_request_and_event_of_a_sweep_belongs_to_the_trace_of_its_watch() {
    try (var tracer = new OtelTracing()) {
      otel = tracer;
      var scheduler = scheduler(8, 1_000, true);
      var sender = "bulk@example.com";
      var contexts = new ArrayList<Traceparent>();
      for (int i = 0; i < 3; i++) {
        var context = Traceparent.parse("00-%032x-%016x-01".formatted(i + 1, i + 1)).orElseThrow();
        contexts.add(context);
        // s0 reaches its deadline now: the list's PROCESSING ends it ABANDONED.
        var watchedFor = i == 0 ? Duration.ofSeconds(1) : Duration.ofHours(24);
        watch("default", "s" + i, sender, context.toString(), watchedFor);
      }
      sweepShowingS1Active(scheduler, sender);

      assertThat(requestTraces.get("list " + sender))
          .as("the list request runs in the trace of the watch that triggered the sweep")
          .isIn(contexts.stream().map(Traceparent::traceId).toList());
      assertThat(requestTraces.get("status s1")).isEqualTo(contexts.get(1).traceId());
      assertThat(published)
          .extracting(TransferEvent::trackingId)
          .containsExactlyInAnyOrder("s0", "s1");
      for (int i : new int[] {0, 1}) {
        var event = Traceparent.parse(eventTraceparents.get("s" + i)).orElseThrow();
        assertThat(event.traceId()).as("the event of s%d", i).isEqualTo(contexts.get(i).traceId());
        assertThat(event.parentId()).isNotEqualTo(contexts.get(i).parentId());
        assertThat(event.sampled()).isTrue();
      }
    }
  }

  @Test
  void a_poll_continues_an_unsampled_context_unsampled_and_starts_a_trace_without_one() {
    try (var tracer = new OtelTracing()) {
      otel = tracer;
      var scheduler = scheduler(8);
      var unsampled = "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-00";
      watch("default", "unsampled", SENDER, unsampled, Duration.ofHours(24));
      watch("default", "without", SENDER);
      answers.put("unsampled", new PollOutcome.Answered(PollerFixtures.active("unsampled")));
      answers.put("without", new PollOutcome.Answered(PollerFixtures.active("without")));
      runDue(scheduler, T0.plusSeconds(1));

      var continued = Traceparent.parse(eventTraceparents.get("unsampled")).orElseThrow();
      assertThat(requestTraces.get("status unsampled")).isEqualTo("a".repeat(32));
      assertThat(continued.traceId()).isEqualTo("a".repeat(32));
      assertThat(continued.parentId()).isNotEqualTo("b".repeat(16));
      assertThat(continued.sampled()).isFalse();
      var fresh = Traceparent.parse(eventTraceparents.get("without")).orElseThrow();
      assertThat(requestTraces.get("status without")).isEqualTo(fresh.traceId());
    }
  }

  @Test
  void polls_a_due_watch_the_list_does_not_show_on_its_own() {
    var scheduler = scheduler(8, 1_000, true);
    var sender = "bulk@example.com";
    for (int i = 0; i < 3; i++) {
      watch("default", "s" + i, sender);
    }
    lists.put(sender, List.of(row("s2", "PROCESSING"), row("s1", "PROCESSING")));
    runDue(scheduler, T0.plusSeconds(1));

    assertThat(listed).containsExactly(sender + "#1");
    assertThat(polled).containsExactly(new TransferKey("default", "s0"));
    assertThat(watches.get(new TransferKey("default", "s0")).orElseThrow().polls()).isEqualTo(1);
  }

  @Test
  void polls_each_watch_on_its_own_while_a_sender_has_few() {
    var scheduler = scheduler(8, 1_000, true);
    watch("default", "s0", "few@example.com");
    watch("default", "s1", "few@example.com");
    runDue(scheduler, T0.plusSeconds(1));

    assertThat(listed).isEmpty();
    assertThat(polled).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MAX_VALUE, 1_000_000_000_000L})
  void a_retry_after_of_years_pauses_the_server_and_the_watch_for_one_hour_at_most(long seconds) {
    var scheduler = scheduler(1);
    answers.put("b0", new PollOutcome.Retry("429", Duration.ofSeconds(seconds)));
    var b0 = watch("busy", "b0").key();
    var b1 = watch("busy", "b1").key();
    runDue(scheduler, T0.plusSeconds(1));

    assertThat(polled).containsExactly(b0);
    assertThat(scheduler.inFlight()).isZero();
    var resumesAt = clock.instant().plus(Backoff.MAX_RETRY_AFTER);
    assertThat(watches.get(b0).orElseThrow().nextPollAt()).isEqualTo(resumesAt);

    answers.remove("b0");
    runDue(scheduler, resumesAt.minusMillis(1));
    assertThat(polled).as("the server is paused until then").containsExactly(b0);

    runDue(scheduler, resumesAt);
    assertThat(polled).containsExactlyInAnyOrder(b0, b1, b0);
  }

  @Test
  void a_poll_that_fails_before_its_answer_is_acted_on_puts_its_watch_back_and_frees_its_slot() {
    var scheduler = scheduler(1);
    var t1 = watch("default", "t1").key();
    failScheduleLagOnce = true;
    runDue(scheduler, T0.plusSeconds(1));

    assertThat(scheduler.inFlight()).isZero();
    var next = watches.get(t1).orElseThrow().nextPollAt();
    assertThat(next).isAfter(clock.instant()).isBeforeOrEqualTo(clock.instant().plusSeconds(30));

    runDue(scheduler, next);
    assertThat(polled).containsExactly(t1);
  }

  @Test
  void a_failure_while_dispatching_leaves_the_servers_dispatching_working() {
    var scheduler = scheduler(8, 1_000, true);
    var sender = "bulk@example.com";
    for (int i = 0; i < 3; i++) {
      watch("default", "s" + i, sender);
    }
    lists.put(
        sender, List.of(row("s2", "PROCESSING"), row("s1", "PROCESSING"), row("s0", "PROCESSING")));
    // s0 starts the sweep; s1 joins it, and recording its schedule lag fails.
    failScheduleLagOnce = true;
    runDue(scheduler, T0.plusSeconds(1));

    for (int i = 0; i < 3; i++) {
      var watch = watches.get(new TransferKey("default", "s" + i)).orElseThrow();
      assertThat(watch.polls()).as("s%d", i).isEqualTo(1);
    }
    clock.advance(Duration.ofSeconds(2));
    assertThat(scheduler.dispatchDue()).isPositive();
  }

  @Test
  void a_sweep_that_fails_on_a_later_page_settles_the_watches_its_earlier_pages_claimed() {
    var scheduler = scheduler(8, 1_000, true);
    var sender = "bulk@example.com";
    watch("default", "s0", sender);
    watch("default", "s1", sender);
    for (int i = 2; i < 5; i++) {
      watchDueAt("s" + i, sender, T0.plus(Duration.ofHours(1)));
    }
    lists.put(
        sender,
        List.of(
            row("s4", "PROCESSING"),
            row("s3", "PROCESSING"),
            row("s2", "PROCESSING"),
            row("s1", "PROCESSING"),
            row("s0", "PROCESSING")));
    listThrowsFromPage = 2;
    runDue(scheduler, T0.plusSeconds(1));

    assertThat(listed).containsExactly(sender + "#1");
    assertThat(scheduler.inFlight()).isZero();
    for (int i = 0; i < 5; i++) {
      var watch = watches.get(new TransferKey("default", "s" + i)).orElseThrow();
      assertThat(watch.polls()).as("s%d", i).isEqualTo(1);
      assertThat(watch.nextPollAt()).as("s%d", i).isEqualTo(clock.instant().plusSeconds(2));
    }
  }

  @Test
  void keeps_nothing_per_sender_or_transfer_once_the_last_watch_of_each_sender_ended() {
    var scheduler = scheduler(8, 1_000, true);
    int senders = 40;
    for (int k = 0; k < senders; k++) {
      var sender = "sender" + k + "@example.com";
      for (int i = 0; i < 3; i++) {
        watch("default", k + "-" + i, sender);
      }
      // The list misses the sweep's trigger, which would get a status request of its own next,
      // but its watch ends meanwhile.
      lists.put(sender, List.of(row(k + "-2", "PROCESSING"), row(k + "-1", "PROCESSING")));
      endWhenListed.put(sender, new TransferKey("default", k + "-0"));
    }
    runDue(scheduler, T0.plusSeconds(1));
    assertThat(listed).hasSize(senders);
    assertThat(polled).as("no status request for an ended watch").isEmpty();
    assertThat(watches.senders()).isEqualTo(senders);
    for (int k = 0; k < senders; k++) {
      assertThat(watches.lastSweepStart("default", "sender" + k + "@example.com"))
          .isEqualTo(T0.plusSeconds(1));
    }

    // Half end by terminal events of another publisher, the rest leave with their partition.
    for (int k = 0; k < senders / 2; k++) {
      for (int i = 0; i < 3; i++) {
        watches.end(new TransferKey("default", k + "-" + i));
      }
    }
    watches.drop(0);

    assertThat(watches.size()).isZero();
    assertThat(watches.senders()).isZero();
    assertThat(watches.awaitingStatusRequest()).isZero();
  }

  @Test
  void lifecycle_starts_and_stops_the_ticker() {
    var scheduler = scheduler(8);

    scheduler.start();
    assertThat(scheduler.isRunning()).isTrue();
    scheduler.stop();

    assertThat(scheduler.isRunning()).isFalse();
  }

  @Test
  void
      ends_a_watch_of_a_server_without_configuration_abandoned_once_its_grace_passed_without_a_request() {
    var scheduler = scheduler(8);
    var graceEnd = T0.plus(Duration.ofMinutes(10));
    var unconfigured = new TransferKey("elsewhere", "u1");
    var statusUrl = PollerFixtures.watch("u1").statusUrl();
    watches
        .add(PollerFixtures.watch("elsewhere", "u1", SENDER).withNextPollAt(graceEnd), 0)
        .orElseThrow();
    watch("default", "t1");

    runDue(scheduler, graceEnd.minusMillis(1));
    assertThat(published).isEmpty();

    runDue(scheduler, graceEnd);

    assertThat(published)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
              assertThat(event.previousState()).isEqualTo(TransferState.PROCESSING);
              assertThat(event.server()).isEqualTo("elsewhere");
              assertThat(event.sender()).isEqualTo(SENDER);
              assertThat(event.statusUrl()).isEqualTo(statusUrl);
              assertThat(event.eventId())
                  .isEqualTo(TransferEvent.eventIdOf("elsewhere", "u1", TransferState.ABANDONED));
              assertThat(event.error().code()).isEqualTo(TransferPoller.SERVER_NOT_CONFIGURED);
              assertThat(event.error().message()).contains("'elsewhere'");
            });
    assertThat(polled)
        .as("no request for a server without configuration; the others are polled as ever")
        .doesNotContain(unconfigured)
        .contains(new TransferKey("default", "t1"));
    assertThat(registry.find(PollerMetrics.TIME_TO_TERMINAL).tag("server", "unknown").timer())
        .isNotNull();

    clock.advance(Duration.ofHours(1));
    scheduler.dispatchDue();
    runStarted();
    assertThat(published).hasSize(1);
    assertThat(watches.contains(unconfigured)).isFalse();
    assertThat(scheduler.inFlight()).isZero();
  }
}

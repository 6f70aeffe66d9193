package io.github.cspipeline.poller.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.WatchJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The watch list survives what happens to poller instances: a restart, a second instance joining
 * and the first leaving, and a {@code kill -9}. Against a real (embedded) KRaft broker and the
 * Cryptshare simulator; every transfer must end in exactly one terminal event.
 */
class WatchHandoverIT {

  private static final String SENDER = "alice@example.com";

  @RegisterExtension
  static final BrokerAndSimulator rig = new BrokerAndSimulator("simulator.auto-sessions=true");

  private static Map<String, String> settings(String name, int partitions) {
    var settings = rig.pollerSettings(name, partitions);
    // One request each, so that the simulator's status counts show every poll.
    settings.put("cryptshare.poller.bulk.enabled", "false");
    return settings;
  }

  private static List<String> ids(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> "%s-%03d".formatted(prefix, i)).toList();
  }

  private static void processingTime(String duration) {
    rig.simulator().configure("{\"processingTime\": \"" + duration + "\"}");
  }

  private static void finalizeAndPublish(EventLog events, List<String> ids) {
    for (var id : ids) {
      events.processing("default", SENDER, id, rig.simulator().finalizeTransfer(SENDER, id));
    }
    events.flush();
  }

  private static Map<String, Integer> statusCalls(List<String> ids) {
    var calls = new HashMap<String, Integer>();
    ids.forEach(id -> calls.put(id, rig.simulator().statusCalls(id)));
    return calls;
  }

  private static void awaitPolledAgainOrTerminal(
      EventLog events, List<String> ids, Map<String, Integer> before) {
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              var terminal = events.terminalEvents();
              return ids.stream()
                  .allMatch(
                      id ->
                          terminal.containsKey(id)
                              || rig.simulator().statusCalls(id) > before.get(id));
            });
  }

  private static double partitions(PollerInstance poller) {
    var gauge = poller.meters().find("cryptshare.poller.partitions").gauge();
    return gauge == null ? 0 : gauge.value();
  }

  /** Waits until every transfer has a terminal event, then checks for a while that it stays one. */
  private static void assertExactlyOneActiveEventEach(EventLog events, List<String> ids) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> events.terminalCount(ids) == ids.size());
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.exactlyOneTerminalEach(ids));
    var terminal = events.terminalEvents();
    for (var id : ids) {
      assertThat(terminal.get(id))
          .singleElement()
          .satisfies(
              seen -> {
                var event = seen.event();
                assertThat(seen.byPoller()).isTrue();
                assertThat(event.state()).isEqualTo(TransferState.ACTIVE);
                assertThat(event.eventId())
                    .isEqualTo(TransferEvent.eventIdOf("default", id, TransferState.ACTIVE));
                assertThat(event.recipients())
                    .singleElement()
                    .satisfies(r -> assertThat(r.downloadUrl()).isNotNull());
              });
    }
  }

  @Test
  void a_restart_in_the_middle_of_watching_loses_no_transfer_and_publishes_each_once() {
    var settings = settings("restart", 3);
    var ids = ids("Restart", 24);
    processingTime("PT8S");
    try (var events = rig.events("restart")) {
      var first = PollerInstance.start(settings);
      finalizeAndPublish(events, ids);
      await().atMost(Duration.ofSeconds(30)).until(() -> first.watches().size() == ids.size());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> statusCalls(ids).values().stream().allMatch(calls -> calls >= 1));

      first.close();
      var before = statusCalls(ids);
      long restarted = System.nanoTime();
      try (var second = PollerInstance.start(settings)) {
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> partitions(second) == 3);
        long tookOver = System.nanoTime();
        int resumed = second.watches().size();
        // The new owner polls every watch again within one poll interval (backoff-max, 1 s here).
        awaitPolledAgainOrTerminal(events, ids, before);
        long polledAgain = System.nanoTime();
        assertExactlyOneActiveEventEach(events, ids);
        assertThat(second.watches().size()).isZero();
        System.out.printf(
            "[measure] WatchHandoverIT restart: %d of %d watches resumed; partitions taken over"
                + " %d ms after the restart began; every watch polled again (or terminal) %d ms"
                + " after the takeover (poll interval cap 1 s); %d terminal events, 0 duplicates%n",
            resumed,
            ids.size(),
            (tookOver - restarted) / 1_000_000,
            (polledAgain - tookOver) / 1_000_000,
            events.terminalCount(ids));
        assertThat(Duration.ofNanos(polledAgain - tookOver))
            .as("one poll interval, plus what sampling 24 counters and a busy machine take")
            .isLessThan(Duration.ofSeconds(3));
      }
    }
  }

  @Test
  void a_second_instance_joining_and_the_first_leaving_lose_nothing_and_duplicate_nothing() {
    var settings = settings("rebalance", 4);
    var ids = ids("Rebalance", 40);
    // Long enough that every transfer is still watched when the first instance leaves, also on a
    // busy machine where joining and leaving take several seconds each. Cryptshare reports them
    // ACTIVE once the second instance owns every partition.
    processingTime("PT60S");
    try (var events = rig.events("rebalance")) {
      var first = PollerInstance.start(settings);
      finalizeAndPublish(events, ids);
      await().atMost(Duration.ofSeconds(30)).until(() -> first.watches().size() == ids.size());

      try (var second = PollerInstance.start(settings)) {
        // The group splits the four partitions, and the watches move with them.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    second.watches().size() > 0
                        && first.watches().size() > 0
                        && first.watches().size() + second.watches().size() == ids.size());
        var split = List.of(first.watches().size(), second.watches().size());
        var watchedWhenLeaving =
            first.watches().keys().stream().map(TransferKey::trackingId).toList();
        long leaving = System.nanoTime();
        first.close();
        // What the first instance still watched and had not ended when it left can only end now
        // through the second. (Not "the second watches more than before": on a loaded machine the
        // second's own transfers may end while the first leaves.)
        var handedOver =
            watchedWhenLeaving.stream()
                .filter(id -> events.terminalCount(List.of(id)) == 0)
                .toList();
        assertThat(handedOver).as("transfers the first instance left unfinished").isNotEmpty();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> partitions(second) == 4);
        long tookOver = System.nanoTime();
        int held = second.watches().size();
        ids.forEach(id -> rig.simulator().forceState(id, "ACTIVE"));
        assertExactlyOneActiveEventEach(events, ids);
        assertThat(second.watches().size()).isZero();
        System.out.printf(
            "[measure] WatchHandoverIT rebalance: %d watches split %d/%d over two instances; the"
                + " first left %d unfinished; %d ms after it left the second owned all partitions"
                + " and %d watches (the rest terminal); %d terminal events, 0 duplicates%n",
            ids.size(),
            split.get(0),
            split.get(1),
            handedOver.size(),
            (tookOver - leaving) / 1_000_000,
            held,
            events.terminalCount(ids));
      }
    }
  }

  @Test
  void a_kill_9_while_terminal_events_are_published_loses_nothing_and_duplicates_nothing()
      throws Exception {
    var jar = Path.of("target", "status-poller.jar");
    assertThat(jar).as("the executable jar, built in the package phase").exists();
    var settings = settings("killed", 3);
    // A killed member leaves the group only when its session expires.
    settings.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
    settings.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
    var ids = ids("Killed", 30);
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    var command = new ArrayList<String>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    // As the test JVMs run (see test.jvmArgs in the parent pom): less CPU for compiling.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(PollerInstance.arguments(settings));
    command.add("--management.server.port=" + port);
    command.add("--management.endpoints.web.exposure.include=health,metrics");
    var log = Path.of("target", "killed-poller.log");
    Files.deleteIfExists(log);
    var process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (var events = rig.events("killed")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> !process.isAlive() || metric(port, "cryptshare.poller.partitions") == 3);
      assertThat(process.isAlive()).as("see " + log).isTrue();
      // Half the transfers turn ACTIVE about when the process is killed, half after.
      for (int i = 0; i < ids.size(); i++) {
        var processing = i % 2 == 0 ? "PT3S" : "PT10S";
        events.processing(
            "default",
            SENDER,
            ids.get(i),
            rig.simulator().seedAndFinalize(SENDER, ids.get(i), "ACTIVE", processing));
      }
      events.flush();
      // Every transfer taken in: watched, or already ended (on a slow machine the 3 s ones may end
      // before the last is watched, and "all 30 watched at once" would never be seen).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  metric(port, "cryptshare.poller.watched") + events.terminalCount(ids)
                      >= ids.size());
      await().atMost(Duration.ofSeconds(30)).until(() -> events.terminalCount(ids) >= 3);

      process.destroyForcibly().waitFor();
      long killed = System.nanoTime();
      long terminalAtKill = events.terminalCount(ids);
      var before = statusCalls(ids);

      // The group join and the fencing of the dead owner's producers show in the output if the
      // takeover is slow (once, in ~10 full builds, it took longer than 60 s on a loaded machine).
      settings.put(
          "logging.level.org.apache.kafka.clients.consumer.internals.ConsumerCoordinator", "info");
      settings.put(
          "logging.level.org.apache.kafka.clients.producer.internals.TransactionManager", "info");
      try (var survivor = PollerInstance.start(settings)) {
        // The bound is generous: the takeover time is measured and printed, not asserted; what
        // the issue asks for is asserted below (every open watch polled again within one poll
        // interval of the takeover, nothing lost, nothing twice).
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> partitions(survivor) == 3);
        long tookOver = System.nanoTime();
        awaitPolledAgainOrTerminal(events, ids, before);
        long polledAgain = System.nanoTime();
        assertExactlyOneActiveEventEach(events, ids);
        assertThat(survivor.watches().size()).isZero();
        System.out.printf(
            "[measure] WatchHandoverIT kill -9: %d of %d terminal at the kill; survivor took the"
                + " partitions over %d ms after it (session timeout 6 s); every open watch polled"
                + " again (or terminal) %d ms after the takeover; %d terminal events, 0"
                + " duplicates%n",
            terminalAtKill,
            ids.size(),
            (tookOver - killed) / 1_000_000,
            (polledAgain - tookOver) / 1_000_000,
            events.terminalCount(ids));
        assertThat(Duration.ofNanos(polledAgain - tookOver))
            .as("one poll interval, plus what sampling 30 counters and a busy machine take")
            .isLessThan(Duration.ofSeconds(3));
      }
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void
      a_partition_whose_owner_died_inside_a_transaction_is_taken_over_within_the_transaction_timeout() {
    var settings = settings("stranded", 1);
    WatchJournal.Producers producers;
    try (var first = PollerInstance.start(settings)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> partitions(first) == 1);
      producers = first.bean(WatchJournal.Producers.class);
    }
    // What a kill -9 between a journal transaction's offsets and its commit leaves: an open
    // transaction of the partition's producer (the poller's own settings) that holds the group's
    // offset of events partition 0. Nobody commits or aborts it; only the broker's timeout can.
    var dead = producers.create(settings.get("cryptshare.poller.transactional-id-prefix") + "-0");
    try {
      dead.initTransactions();
      dead.beginTransaction();
      dead.sendOffsetsToTransaction(
          Map.of(
              new TopicPartition(PollerInstance.eventsTopic("stranded"), 0),
              new OffsetAndMetadata(0)),
          new ConsumerGroupMetadata(settings.get("cryptshare.poller.group-id")));
      dead.flush();
      long stranded = System.nanoTime();
      try (var next = PollerInstance.start(settings)) {
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> partitions(next) == 1);
        var took = Duration.ofNanos(System.nanoTime() - stranded);
        System.out.printf(
            "[measure] WatchHandoverIT stranded transaction: the next owner took the partition"
                + " over %d ms after the previous owner's transaction was left open%n",
            took.toMillis());
        // Before: the container asked for the partition's position before the rebalance listener
        // could fence the dead producer, waited for the broker to time the transaction out (60 s
        // by Kafka's default), gave up, and the watches of the partition were never loaded. The new
        // owner must end the transaction itself, long before the poller's transaction timeout
        // (15 s) would let the broker do it.
        assertThat(took)
            .as("fenced by the new owner, not ended by the broker's transaction timeout of 15 s")
            .isLessThan(Duration.ofSeconds(15));
      }
    } finally {
      dead.close(Duration.ZERO);
    }
  }

  private static double metric(int port, String name) {
    try {
      var response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://localhost:" + port + "/actuator/metrics/" + name))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return -1;
      }
      return io.github.cspipeline.model.WireFormat.mapper()
          .readTree(response.body())
          .path("measurements")
          .path(0)
          .path("value")
          .asDouble();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException(e));
    }
  }
}

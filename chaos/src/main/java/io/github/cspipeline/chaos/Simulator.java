package io.github.cspipeline.chaos;

import io.github.cspipeline.testkit.SimulatorControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The simulator's control API (CONTRACT §5) as the chaos drivers use it: set-up, faults and what
 * really happened. The HTTP calls are the test kit's {@link SimulatorControl}, the one client of
 * that API; this class adds what only the drivers need (the audit's {@link Record}s, fetched in
 * bulk or per transfer) and reports a failed call as an {@link IOException}, which the drivers
 * handle where a control call may fail (seeding falls back, statistics are only informative).
 */
final class Simulator {

  /**
   * What the simulator knows of one tracking id. {@code effectiveFinalizes} and {@code
   * finalizeOutcomes} are null when this simulator version does not report them.
   */
  record Record(
      String trackingId,
      @Nullable String state,
      int finalizeCalls,
      int statusCalls,
      @Nullable Integer effectiveFinalizes,
      @Nullable String finalizeOutcomes) {

    static Record of(JsonNode node, String trackingId) {
      var effective = node.get("effectiveFinalizes");
      var outcomes = node.get("finalizeOutcomes");
      var state = node.get("state");
      return new Record(
          trackingId,
          state == null || state.isNull() ? null : state.asString(),
          node.path("finalizeCalls").asInt(),
          node.path("statusCalls").asInt(),
          effective == null || effective.isNull() ? null : effective.asInt(),
          outcomes == null || outcomes.isNull() ? null : outcomes.toString());
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SimulatorControl control;

  Simulator(int port) {
    this.control = SimulatorControl.onPort(port);
  }

  void configure(Duration processingTime) throws IOException {
    var settings =
        Map.of(
            "autoSessions", true, "processingTime", processingTime.toString(), "failedRatio", 0.0);
    call(() -> control.configure(JSON.writeValueAsString(settings)));
  }

  void unverify(String sender) throws IOException {
    call(() -> control.sender(sender, "{\"verified\": false}"));
  }

  void seedSession(
      String sender, String trackingId, String outcome, boolean uploaded, Duration processingTime)
      throws IOException {
    var body =
        Map.of(
            "sender", sender,
            "trackingId", trackingId,
            "outcome", outcome,
            "processingTime", processingTime.toString(),
            "files", List.of(Map.of("name", "a.pdf", "size", 10, "uploaded", uploaded)));
    call(() -> control.seedSession(JSON.writeValueAsString(body)));
  }

  void faults(Map<String, Object> update) throws IOException {
    call(() -> control.faults(JSON.writeValueAsString(update)));
  }

  void noFaults() throws IOException {
    call(
        () -> {
          control.noFaults();
          return null;
        });
  }

  /** All transfers at once when the simulator offers it, else null. */
  private @Nullable Map<String, Record> allTransfers() throws IOException {
    var response = call(() -> control.call("GET", "/simulator/transfers", null));
    if (response.statusCode() != 200) {
      return null;
    }
    var list = JSON.readTree(response.body()).get("transfers");
    if (list == null || !list.isArray()) {
      return null;
    }
    var records = new HashMap<String, Record>();
    for (var node : list) {
      var id = node.path("trackingId").asString();
      records.put(id, Record.of(node, id));
    }
    return records;
  }

  Record transfer(String trackingId) throws IOException {
    return Record.of(call(() -> control.transfer(trackingId)), trackingId);
  }

  /**
   * The records of {@code trackingIds}: all at once when the simulator offers it, else one request
   * per transfer (16 at a time), leaving out the tracking ids it knows nothing of.
   */
  Map<String, Record> records(List<String> trackingIds, RunLog log)
      throws IOException, InterruptedException {
    var bulk = allTransfers();
    if (bulk != null) {
      return bulk;
    }
    log.log("the simulator has no bulk GET /simulator/transfers; asking per transfer");
    var records = new ConcurrentHashMap<String, Record>();
    var limit = new Semaphore(16);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var trackingId : trackingIds) {
        limit.acquire();
        pool.execute(
            () -> {
              try {
                var r = transfer(trackingId);
                if (r.state() != null || r.finalizeCalls() > 0) {
                  records.put(trackingId, r);
                }
              } catch (IOException e) {
                log.log("simulator record of %s: %s", trackingId, e);
              } finally {
                limit.release();
              }
            });
      }
    }
    return records;
  }

  /** Resets the request totals and rates (not the per-tracking-id counts). */
  void resetStats() throws IOException {
    call(
        () -> {
          control.resetStats();
          return null;
        });
  }

  String stats() throws IOException {
    return call(control::stats).toString();
  }

  /**
   * A control call; its failure (no answer, or an answer other than the expected one) as an {@link
   * IOException}.
   */
  private static <T> T call(Supplier<T> call) throws IOException {
    try {
      return call.get();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}

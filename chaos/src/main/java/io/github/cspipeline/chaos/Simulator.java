package io.github.cspipeline.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The simulator's control API (CONTRACT §5): set-up, faults and what really happened. */
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

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Simulator(int port) {
    this.base = "http://127.0.0.1:" + port + "/simulator";
  }

  void configure(Duration processingTime) throws IOException, InterruptedException {
    put(
        "/config",
        Map.of(
            "autoSessions", true, "processingTime", processingTime.toString(), "failedRatio", 0.0));
  }

  void unverify(String sender) throws IOException, InterruptedException {
    put("/senders/" + URLEncoder.encode(sender, StandardCharsets.UTF_8), Map.of("verified", false));
  }

  void seedSession(
      String sender, String trackingId, String outcome, boolean uploaded, Duration processingTime)
      throws IOException, InterruptedException {
    var body =
        Map.of(
            "sender", sender,
            "trackingId", trackingId,
            "outcome", outcome,
            "processingTime", processingTime.toString(),
            "files", List.of(Map.of("name", "a.pdf", "size", 10, "uploaded", uploaded)));
    var response = call("POST", "/sessions", JSON.writeValueAsString(body));
    if (response.statusCode() != 201) {
      throw new IOException(
          "Seeding " + trackingId + ": " + response.statusCode() + " " + response.body());
    }
  }

  void faults(Map<String, Object> update) throws IOException, InterruptedException {
    put("/faults", update);
  }

  void noFaults() throws IOException, InterruptedException {
    call("DELETE", "/faults", null);
  }

  /** All transfers at once when the simulator offers it, else null. */
  private @Nullable Map<String, Record> allTransfers() throws IOException, InterruptedException {
    var response = call("GET", "/transfers", null);
    if (response.statusCode() != 200) {
      return null;
    }
    var list = JSON.readTree(response.body()).get("transfers");
    if (list == null || !list.isArray()) {
      return null;
    }
    var records = new java.util.HashMap<String, Record>();
    for (var node : list) {
      var id = node.path("trackingId").asString();
      records.put(id, Record.of(node, id));
    }
    return records;
  }

  Record transfer(String trackingId) throws IOException, InterruptedException {
    var response = call("GET", "/transfers/" + trackingId, null);
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET /simulator/transfers/" + trackingId + ": " + response.statusCode());
    }
    return Record.of(JSON.readTree(response.body()), trackingId);
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
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                limit.release();
              }
            });
      }
    }
    return records;
  }

  /** Resets the request totals and rates (not the per-tracking-id counts). */
  void resetStats() throws IOException, InterruptedException {
    call("DELETE", "/stats", null);
  }

  String stats() throws IOException, InterruptedException {
    return call("GET", "/stats", null).body();
  }

  private void put(String path, Object body) throws IOException, InterruptedException {
    var response = call("PUT", path, JSON.writeValueAsString(body));
    if (response.statusCode() / 100 != 2) {
      throw new IOException("PUT " + path + ": " + response.statusCode() + " " + response.body());
    }
  }

  private HttpResponse<String> call(String method, String path, @Nullable String body)
      throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}

package io.github.cspipeline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tests' client for the Cryptshare simulator's control API ({@code /simulator/...}, CONTRACT
 * §5): its configuration, faults and senders, seeded sessions and forced states, and what really
 * happened (per-transfer counts, request statistics). Plain HTTP, so it works against a simulator
 * in the same JVM or anywhere else; starting the simulator is the caller's business.
 *
 * <p>The typed methods expect a 2xx answer and throw {@link IllegalStateException} otherwise;
 * {@link #call} returns any answer for tests that check the control API's own answers.
 *
 * <p>Not final: a module's fixture that starts the simulator in-process extends it, so its tests
 * call the control API on the fixture itself.
 */
public class SimulatorControl {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final URI baseUrl;

  /** {@code baseUrl}: the simulator's root, e.g. {@code http://127.0.0.1:8090}. */
  public SimulatorControl(URI baseUrl) {
    this.baseUrl = baseUrl;
  }

  public static SimulatorControl onPort(int port) {
    return new SimulatorControl(URI.create("http://127.0.0.1:" + port));
  }

  public URI baseUrl() {
    return baseUrl;
  }

  // ---- set-up ------------------------------------------------------------------------------

  /** {@code PUT /simulator/config} with a partial update, e.g. {@code {"autoSessions": true}}. */
  public JsonNode configure(String json) {
    return callOk("PUT", "/simulator/config", json);
  }

  /** {@code PUT /simulator/faults}, e.g. {@code {"finalize": {"errorRatio": 1.0}}}. */
  public JsonNode faults(String json) {
    return callOk("PUT", "/simulator/faults", json);
  }

  /** {@code DELETE /simulator/faults}: every fault off. */
  public void noFaults() {
    callOk("DELETE", "/simulator/faults", null);
  }

  /**
   * {@code PUT /simulator/senders/{email}} with a partial update, e.g. {@code {"verified": false}},
   * {@code {"invalidTokenStatus": 403}} or {@code {"policy": "SENDER_REJECTED"}}.
   */
  public JsonNode sender(String email, String json) {
    return callOk("PUT", "/simulator/senders/" + email, json);
  }

  /** Forgets every token issued for the sender (requests with them answer 3002); how many. */
  public int revokeTokens(String email) {
    return callOk("DELETE", "/simulator/senders/" + email + "/tokens", null)
        .path("revoked")
        .asInt();
  }

  /** {@code POST /simulator/sessions}: seeds a session as described, expecting 201. */
  public JsonNode seedSession(String json) {
    var response = call("POST", "/simulator/sessions", json);
    if (response.statusCode() != 201) {
      throw failed("POST", "/simulator/sessions", response);
    }
    return parse(response.body());
  }

  /** Seeds a session that ends in {@code outcome} after {@code processingTime} once finalized. */
  public JsonNode seedSession(
      String sender, String trackingId, String outcome, Duration processingTime) {
    return seedSession(
        """
        {"sender": "%s", "trackingId": "%s", "outcome": "%s", "processingTime": "%s"}"""
            .formatted(sender, trackingId, outcome, processingTime));
  }

  /** Forces a transfer's state; {@code null} lifts the forcing. */
  public void forceState(String trackingId, @Nullable String state) {
    var body = state == null ? "{\"state\": null}" : "{\"state\": \"" + state + "\"}";
    callOk("PUT", "/simulator/transfers/" + trackingId, body);
  }

  /** {@code POST /simulator/reset}: transfers, senders, faults, configuration and stats. */
  public void reset() {
    callOk("POST", "/simulator/reset", null);
  }

  /** {@code DELETE /simulator/stats}: request totals and rates (not the per-transfer counts). */
  public void resetStats() {
    callOk("DELETE", "/simulator/stats", null);
  }

  // ---- what happened -----------------------------------------------------------------------

  /**
   * {@code GET /simulator/transfers/{id}}: {@code state}, {@code finalizeCalls}, {@code
   * effectiveFinalizes}, {@code finalizeOutcomes}, {@code statusCalls}, {@code sessionOpen}, {@code
   * lastFinalizeTraceparent}, {@code lastStatusTraceparent}.
   */
  public JsonNode transfer(String trackingId) {
    return callOk("GET", "/simulator/transfers/" + trackingId, null);
  }

  /** {@code GET /simulator/transfers}: every tracking id with a finalize call, and its counts. */
  public JsonNode transfers() {
    return callOk("GET", "/simulator/transfers", null).path("transfers");
  }

  public int finalizeCalls(String trackingId) {
    return transfer(trackingId).path("finalizeCalls").asInt();
  }

  public int statusCalls(String trackingId) {
    return transfer(trackingId).path("statusCalls").asInt();
  }

  /** The transfer's Cryptshare state, or null while there is none. */
  public @Nullable String state(String trackingId) {
    return textOrNull(transfer(trackingId).path("state"));
  }

  /** Finalize calls that really finalized the session (0 or 1). */
  public int effectiveFinalizes(String trackingId) {
    return transfer(trackingId).path("effectiveFinalizes").asInt();
  }

  /**
   * How many finalize calls ended {@code created}, {@code refused}, {@code notFound} or {@code
   * answerLost}.
   */
  public int finalizeOutcome(String trackingId, String outcome) {
    return transfer(trackingId).path("finalizeOutcomes").path(outcome).asInt();
  }

  /** The {@code traceparent} header of the last finalize request of a transfer, or null. */
  public @Nullable String lastFinalizeTraceparent(String trackingId) {
    return textOrNull(transfer(trackingId).path("lastFinalizeTraceparent"));
  }

  /** The {@code traceparent} header of the last status request of a transfer, or null. */
  public @Nullable String lastStatusTraceparent(String trackingId) {
    return textOrNull(transfer(trackingId).path("lastStatusTraceparent"));
  }

  /** {@code GET /simulator/stats}. */
  public JsonNode stats() {
    return callOk("GET", "/simulator/stats", null);
  }

  /** Requests that reached an endpoint ({@code status}, {@code list}, {@code token}, ...). */
  public long endpointRequests(String endpoint) {
    return stats().path("endpoints").path(endpoint).path("requests").asLong();
  }

  // ---- the Cryptshare API, as a client would use it ----------------------------------------

  /** A verification token for the sender, issued to the client id (client-id mode). */
  public String token(String sender, String clientId) {
    var response =
        send(
            api("/api/users/" + sender + "/verification/token", clientId)
                .POST(BodyPublishers.noBody()));
    if (response.statusCode() / 100 != 2) {
      throw failed("POST", "token of " + sender, response);
    }
    return parse(response.body()).path("data").path("token").asString();
  }

  /** Finalizes a session with a fresh token, as the worker would; the answer as it is. */
  public HttpResponse<String> finalizeSession(String sender, String trackingId, String clientId) {
    return finalizeSession(sender, trackingId, clientId, token(sender, clientId));
  }

  /** Finalizes a session with {@code token}; the answer as it is. */
  public HttpResponse<String> finalizeSession(
      String sender, String trackingId, String clientId, String token) {
    return send(
        api("/api/users/" + sender + "/transfer-sessions/" + trackingId, clientId)
            .header("X-CS-VerificationToken", token)
            .POST(BodyPublishers.noBody()));
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** Any call, e.g. {@code call("PUT", "/simulator/faults", "{...}")}; any answer. */
  public HttpResponse<String> call(String method, String path, @Nullable String json) {
    var request = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(Duration.ofSeconds(30));
    if (json == null || json.isEmpty()) {
      request.method(method, BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, BodyPublishers.ofString(json));
    }
    return send(request);
  }

  /** A call that must answer 2xx; its JSON body (a missing node when empty). */
  public JsonNode callOk(String method, String path, @Nullable String json) {
    var response = call(method, path, json);
    if (response.statusCode() / 100 != 2) {
      throw failed(method, path, response);
    }
    return parse(response.body());
  }

  private HttpRequest.Builder api(String path, String clientId) {
    return HttpRequest.newBuilder(baseUrl.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("X-CS-MajorApiVersion", "1")
        .header("X-CS-MinimumMinorApiVersion", "10")
        .header("X-CS-ClientId", clientId);
  }

  private static JsonNode parse(String body) {
    return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
  }

  private static @Nullable String textOrNull(JsonNode node) {
    return node.isString() ? node.asString() : null;
  }

  private static IllegalStateException failed(
      String method, String path, HttpResponse<String> response) {
    return new IllegalStateException(
        method + " " + path + " answered " + response.statusCode() + ": " + response.body());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

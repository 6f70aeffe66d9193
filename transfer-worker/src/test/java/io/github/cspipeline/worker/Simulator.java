package io.github.cspipeline.worker;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.simulator.CryptshareSimulatorApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The Cryptshare simulator in-process, with its control API (faults, counts, stats). */
public final class Simulator implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ConfigurableApplicationContext context;
  private final int port;

  public Simulator(String... properties) {
    var args = new java.util.ArrayList<String>();
    args.add("--server.port=0");
    args.add("--spring.config.name=none");
    args.add("--simulator.auto-sessions=true");
    args.add("--simulator.processing-time=PT1S");
    for (var property : properties) {
      args.add("--" + property);
    }
    context = CryptshareSimulatorApplication.builder().run(args.toArray(String[]::new));
    port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public void faults(String json) {
    call("PUT", "/simulator/faults", json);
  }

  public void noFaults() {
    call("DELETE", "/simulator/faults", "");
  }

  public void resetStats() {
    call("DELETE", "/simulator/stats", "");
  }

  /**
   * {@code {"trackingId", "state", "finalizeCalls", "statusCalls", "sessionOpen",
   * "lastFinalizeTraceparent"}}.
   */
  public JsonNode transfer(String trackingId) {
    return call("GET", "/simulator/transfers/" + trackingId, "");
  }

  public int finalizeCalls(String trackingId) {
    return transfer(trackingId).path("finalizeCalls").asInt();
  }

  /** Finalize calls that really finalized the session (0 or 1). */
  public int effectiveFinalizes(String trackingId) {
    return transfer(trackingId).path("effectiveFinalizes").asInt();
  }

  /** {@code created}, {@code refused}, {@code notFound} or {@code answerLost}: how many. */
  public int finalizeOutcome(String trackingId, String outcome) {
    return transfer(trackingId).path("finalizeOutcomes").path(outcome).asInt();
  }

  /**
   * Changes how the simulator treats a sender, e.g. {@code {"invalidTokenStatus": 403}} or {@code
   * {"policy": "SENDER_REJECTED"}}.
   */
  public void sender(String email, String json) {
    call("PUT", "/simulator/senders/" + email, json);
  }

  /** Forgets every token issued for the sender: requests with them answer 3002. */
  public void revokeTokens(String email) {
    call("DELETE", "/simulator/senders/" + email + "/tokens", "");
  }

  public int statusCalls(String trackingId) {
    return transfer(trackingId).path("statusCalls").asInt();
  }

  /** The {@code traceparent} header of the last finalize request for the id, or null. */
  public String lastFinalizeTraceparent(String trackingId) {
    var traceparent = transfer(trackingId).path("lastFinalizeTraceparent");
    return traceparent.isString() ? traceparent.asString() : null;
  }

  /** The transfer's Cryptshare state, or null while none exists. */
  public String state(String trackingId) {
    var state = transfer(trackingId).path("state");
    return state.isString() ? state.asString() : null;
  }

  public JsonNode stats() {
    return call("GET", "/simulator/stats", "");
  }

  /** A verification token for the sender, issued to the client id (client-id mode). */
  public String token(String sender, String clientId) {
    var answer =
        send(
            HttpRequest.newBuilder(
                    baseUrl().resolve("/api/users/" + sender + "/verification/token"))
                .header("X-CS-MajorApiVersion", "1")
                .header("X-CS-MinimumMinorApiVersion", "10")
                .header("X-CS-ClientId", clientId)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    return WireFormat.mapper().readTree(answer.body()).path("data").path("token").asString();
  }

  /** Finalizes a session behind the worker's back: its finalize then meets 404/2003. */
  public int finalizeDirectly(String sender, String trackingId, String clientId) {
    return send(HttpRequest.newBuilder(
                baseUrl().resolve("/api/users/" + sender + "/transfer-sessions/" + trackingId))
            .header("X-CS-MajorApiVersion", "1")
            .header("X-CS-MinimumMinorApiVersion", "10")
            .header("X-CS-ClientId", clientId)
            .header("X-CS-VerificationToken", token(sender, clientId))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build())
        .statusCode();
  }

  private JsonNode call(String method, String path, String json) {
    var response =
        send(
            HttpRequest.newBuilder(baseUrl().resolve(path))
                .header("Content-Type", "application/json")
                .method(
                    method,
                    json.isEmpty()
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json))
                .build());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body().isEmpty()
        ? WireFormat.mapper().missingNode()
        : WireFormat.mapper().readTree(response.body());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    context.close();
  }
}

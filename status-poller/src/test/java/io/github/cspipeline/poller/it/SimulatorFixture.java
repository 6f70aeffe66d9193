package io.github.cspipeline.poller.it;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.simulator.CryptshareSimulatorApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The Cryptshare simulator, in-process on a random port, and the calls the tests make to it. */
public final class SimulatorFixture implements AutoCloseable {

  /** Any 50+ alphanumerics: the simulator accepts every well-formed client id. */
  public static final String CLIENT_ID = "PollerItClientId".repeat(4);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ConfigurableApplicationContext context;
  private final int port;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public SimulatorFixture(String... properties) {
    var args = new String[properties.length + 3];
    args[0] = "--server.port=0";
    args[1] = "--spring.config.name=none";
    args[2] = "--logging.level.io.github.cspipeline.simulator=warn";
    for (int i = 0; i < properties.length; i++) {
      args[i + 3] = "--" + properties[i];
    }
    context = CryptshareSimulatorApplication.builder().run(args);
    port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  public URI baseUrl() {
    return URI.create("http://localhost:" + port);
  }

  /**
   * Finalizes an auto-session (the simulator must run with {@code simulator.auto-sessions=true})
   * and returns the status URL from {@code Location}.
   */
  public URI finalizeTransfer(String sender, String trackingId) {
    var token = tokens.computeIfAbsent(sender, this::token);
    var response =
        send(
            api("/api/users/" + sender + "/transfer-sessions/" + trackingId)
                .header("X-CS-VerificationToken", token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    if (response.statusCode() != 201) {
      throw new IllegalStateException("finalize of " + trackingId + ": " + response.body());
    }
    return URI.create(response.headers().firstValue("Location").orElseThrow());
  }

  private String token(String sender) {
    var response =
        send(
            api("/api/users/" + sender + "/verification/token")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    return json(response.body()).path("data").path("token").asString();
  }

  /** Seeds a session through the control API and finalizes it. */
  public URI seedAndFinalize(String sender, String trackingId, String outcome, String processing) {
    var seeded =
        control(
            "POST",
            "/simulator/sessions",
            """
            {"sender": "%s", "trackingId": "%s", "outcome": "%s", "processingTime": "%s"}"""
                .formatted(sender, trackingId, outcome, processing));
    if (seeded.statusCode() != 201) {
      throw new IllegalStateException("seeding " + trackingId + ": " + seeded.body());
    }
    return finalizeTransfer(sender, trackingId);
  }

  /** Forces a transfer's state ({@code null} lifts it). */
  public void forceState(String trackingId, @Nullable String state) {
    var body = state == null ? "{\"state\": null}" : "{\"state\": \"" + state + "\"}";
    var response = control("PUT", "/simulator/transfers/" + trackingId, body);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("forcing " + trackingId + ": " + response.body());
    }
  }

  /** Where the simulator answers the status of this transfer (whether it exists or not). */
  public URI statusUrl(String sender, String trackingId) {
    return baseUrl().resolve("/api/users/" + sender + "/transfers/" + trackingId);
  }

  /** Revokes every token of the sender: requests with them answer 401/3002. */
  public int revokeTokens(String sender) {
    var response = control("DELETE", "/simulator/senders/" + sender + "/tokens", "");
    if (response.statusCode() != 200) {
      throw new IllegalStateException("revoking tokens of " + sender + ": " + response.body());
    }
    return json(response.body()).path("revoked").asInt();
  }

  /** {@code PUT /simulator/faults}. */
  public void faults(String json) {
    var response = control("PUT", "/simulator/faults", json);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("faults " + json + ": " + response.body());
    }
  }

  /** {@code DELETE /simulator/faults}: all faults off. */
  public void clearFaults() {
    control("DELETE", "/simulator/faults", "");
  }

  public int statusCalls(String trackingId) {
    return transferCalls(trackingId).path("statusCalls").asInt();
  }

  /** The {@code traceparent} header of the last status request of a transfer, or null without. */
  public @Nullable String lastStatusTraceparent(String trackingId) {
    var value = transferCalls(trackingId).path("lastStatusTraceparent");
    return value.isString() ? value.asString() : null;
  }

  private JsonNode transferCalls(String trackingId) {
    return json(control("GET", "/simulator/transfers/" + trackingId, "").body());
  }

  /** {@code GET /simulator/stats}. */
  public JsonNode stats() {
    return json(control("GET", "/simulator/stats", "").body());
  }

  /** Requests that reached an endpoint ({@code status}, {@code list}, {@code token}, ...). */
  public long requests(String endpoint) {
    return stats().path("endpoints").path(endpoint).path("requests").asLong();
  }

  public void resetStats() {
    control("DELETE", "/simulator/stats", "");
  }

  public HttpResponse<String> control(String method, String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                json.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private HttpRequest.Builder api(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .header("X-CS-MajorApiVersion", "1")
        .header("X-CS-MinimumMinorApiVersion", "10")
        .header("X-CS-ClientId", CLIENT_ID);
  }

  private static JsonNode json(String body) {
    return WireFormat.mapper().readTree(body);
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

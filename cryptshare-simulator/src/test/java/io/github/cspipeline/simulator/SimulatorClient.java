package io.github.cspipeline.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.testkit.SimulatorControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tests' one way to talk to the simulator: plain HTTP, exactly as a Cryptshare client or a test
 * of another module would. Builds Cryptshare requests with valid headers, runs the usual flows
 * (token, session, file, finalize) and calls the control API.
 */
public final class SimulatorClient {

  public static final String SENDER = "alice@example.com";
  public static final String OTHER_SENDER = "mallory@example.com";
  public static final String RECIPIENT = "bob@example.org";
  public static final String CLIENT_ID =
      "SimulatorTestClient0123456789012345678901234567890123456789";
  public static final String OTHER_CLIENT_ID =
      "OtherTestClient9876543210987654321098765432109876543210";
  public static final String TRACKING_ID_PATTERN = "\\d{8}-\\d{6}-[A-Za-z0-9]{8}";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** An answer, with its body as text and as JSON. */
  public record Response(int status, HttpHeaders headers, String body) {

    public JsonNode json() {
      return JSON.readTree(body);
    }

    public JsonNode data() {
      return json().get("data");
    }

    public int errorCode() {
      return json().get("errorCode").asInt();
    }

    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    public String location() {
      return header("Location").orElseThrow(() -> new AssertionError("no Location header"));
    }
  }

  private final HttpClient http;
  private final String base;
  private final SimulatorControl control;

  public SimulatorClient(int port) {
    this("localhost", port);
  }

  public SimulatorClient(String host, int port) {
    this.base = "http://" + host + ":" + port;
    this.control = new SimulatorControl(URI.create(base));
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  public String base() {
    return base;
  }

  // ---- requests

  /** A request without any Cryptshare header. */
  public HttpRequest.Builder plain(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20));
  }

  /** A Cryptshare request with the version headers and the client id. */
  public HttpRequest.Builder api(String pathAndQuery) {
    return plain(pathAndQuery)
        .header("X-CS-MajorApiVersion", "1")
        .header("X-CS-MinimumMinorApiVersion", "10")
        .header("X-CS-ClientId", CLIENT_ID);
  }

  /** A Cryptshare request of a verified sender. */
  public HttpRequest.Builder api(String pathAndQuery, String token) {
    return api(pathAndQuery).header("X-CS-VerificationToken", token);
  }

  public static BodyPublisher json(String json) {
    return BodyPublishers.ofString(json);
  }

  public Response send(HttpRequest.Builder request) {
    try {
      return sendOrThrow(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends and lets an I/O failure (e.g. a dropped connection) through. */
  public Response sendOrThrow(HttpRequest.Builder request) throws IOException {
    try {
      HttpResponse<String> response = http.send(request.build(), BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static HttpRequest.Builder post(HttpRequest.Builder request, String json) {
    return request.header("Content-Type", "application/json").POST(json(json));
  }

  // ---- Cryptshare flows

  public String token(String sender) {
    Response response =
        send(api(verificationPath(sender) + "/token").POST(BodyPublishers.noBody()));
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.data().get("token").asString();
  }

  public Response createSessionResponse(String sender, String token, String... recipients) {
    String to =
        Arrays.stream(recipients)
            .map(mail -> "{\"mail\":\"" + mail + "\"}")
            .collect(Collectors.joining(","));
    return send(post(api(sessionsPath(sender), token), "{\"recipients\":{\"to\":[" + to + "]}}"));
  }

  /** Creates a session and returns its tracking id. */
  public String createSession(String sender, String token, String... recipients) {
    Response response = createSessionResponse(sender, token, recipients);
    assertThat(response.status()).as(response.body()).isEqualTo(201);
    String location = response.location();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  public Response addFileResponse(
      String sender, String token, String trackingId, String fileName, long size) {
    return send(
        post(
            api(sessionPath(sender, trackingId) + "/files", token),
            "{\"fileName\":\"" + fileName + "\",\"size\":" + size + "}"));
  }

  /** Registers a file and returns its id. */
  public String addFile(String sender, String token, String trackingId, String name, long size) {
    Response response = addFileResponse(sender, token, trackingId, name, size);
    assertThat(response.status()).as(response.body()).isEqualTo(201);
    return response.data().get("fileId").asString();
  }

  public Response upload(
      String sender, String token, String trackingId, String fileId, byte[] content) {
    return send(
        api(sessionPath(sender, trackingId) + "/files/" + fileId + "/content", token)
            .header("Content-Type", "application/octet-stream")
            .PUT(BodyPublishers.ofByteArray(content)));
  }

  /** A session with one recipient and one fully uploaded file, ready to finalize. */
  public String completeSession(String sender, String token) {
    String trackingId = createSession(sender, token, RECIPIENT);
    String fileId = addFile(sender, token, trackingId, "contract.pdf", 5);
    assertThat(upload(sender, token, trackingId, fileId, "12345".getBytes()).status())
        .isEqualTo(200);
    return trackingId;
  }

  /** A {@link #completeSession} finalized, expecting 201: its tracking id. */
  public String finalizedTransfer(String sender, String token) {
    String trackingId = completeSession(sender, token);
    assertThat(finalizeTransfer(sender, token, trackingId).status()).isEqualTo(201);
    return trackingId;
  }

  public HttpRequest.Builder finalizeRequest(String sender, String token, String trackingId) {
    return api(sessionPath(sender, trackingId), token).POST(BodyPublishers.noBody());
  }

  public Response finalizeTransfer(String sender, String token, String trackingId) {
    return send(finalizeRequest(sender, token, trackingId));
  }

  /** PATCHes the session with the JSON body. */
  public Response patchSession(String sender, String token, String trackingId, String json) {
    return send(
        api(sessionPath(sender, trackingId), token)
            .header("Content-Type", "application/json")
            .method("PATCH", json(json)));
  }

  public Response session(String sender, String token, String trackingId) {
    return send(api(sessionPath(sender, trackingId), token).GET());
  }

  public HttpRequest.Builder statusRequest(String sender, String token, String trackingId) {
    return api(statusPath(sender, trackingId), token).GET();
  }

  public Response status(String sender, String token, String trackingId) {
    return send(statusRequest(sender, token, trackingId));
  }

  /** The first recipient in the transfer's status answer. */
  public JsonNode firstRecipient(String sender, String token, String trackingId) {
    return status(sender, token, trackingId).data().get("status").get("recipients").get(0);
  }

  public String state(String sender, String token, String trackingId) {
    Response response = status(sender, token, trackingId);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.data().get("status").get("state").asString();
  }

  public Response list(String sender, String token, String query) {
    return send(api("/api/users/" + sender + "/transfers" + query, token).GET());
  }

  public static String verificationPath(String sender) {
    return "/api/users/" + sender + "/verification";
  }

  public static String sessionsPath(String sender) {
    return "/api/users/" + sender + "/transfer-sessions";
  }

  public static String sessionPath(String sender, String trackingId) {
    return sessionsPath(sender) + "/" + trackingId;
  }

  public static String statusPath(String sender, String trackingId) {
    return "/api/users/" + sender + "/transfers/" + trackingId;
  }

  // ---- control API: the shared client in the test kit

  /** The control API client other modules' tests use too. */
  public SimulatorControl control() {
    return control;
  }

  /** Any control call; any answer, for the tests of the control API's own answers. */
  public Response control(String method, String path, @Nullable String json) {
    var response = control.call(method, path, json);
    return new Response(response.statusCode(), response.headers(), response.body());
  }

  /** Calls the control API and expects a 2xx answer. */
  public JsonNode controlOk(String method, String path, @Nullable String json) {
    return control.callOk(method, path, json);
  }

  public JsonNode transferCalls(String trackingId) {
    return control.transfer(trackingId);
  }

  /** {@code GET /simulator/transfers}: every tracking id with a finalize call, and its counts. */
  public JsonNode finalizedTransfers() {
    return control.transfers();
  }

  /** The expected {@code finalizeOutcomes} of {@code GET /simulator/transfers[/{id}]}. */
  public static JsonNode outcomes(int created, int refused, int notFound, int answerLost) {
    return JSON.readTree(
        "{\"created\": %d, \"refused\": %d, \"notFound\": %d, \"answerLost\": %d}"
            .formatted(created, refused, notFound, answerLost));
  }

  public void configure(String json) {
    control.configure(json);
  }

  public void faults(String json) {
    control.faults(json);
  }

  public void setVerified(String sender, boolean verified) {
    control.sender(sender, "{\"verified\":" + verified + "}");
  }

  /**
   * {@code PUT /simulator/senders/{email}} with a partial update, e.g. {@code {"policy": null}}.
   */
  public JsonNode updateSender(String sender, String json) {
    return control.sender(sender, json);
  }

  public JsonNode stats() {
    return control.stats();
  }

  public void reset() {
    control.reset();
  }
}

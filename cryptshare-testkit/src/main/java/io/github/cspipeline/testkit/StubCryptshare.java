package io.github.cspipeline.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Cryptshare's REST API on a JDK HTTP server (loopback, random port), for tests of code that calls
 * Cryptshare: answers are scripted per method and path, and every request is recorded.
 *
 * <p>Out of the box every request gets 404/1006 ("no such endpoint"). Scripts are looked up newest
 * first, so a test overrides a default by scripting the same path again:
 *
 * <ul>
 *   <li>{@link #on(String, String, Answer...)} scripts one exact path, {@link #on(String, Pattern,
 *       Answer...)} every path matching a pattern; a script answers the requests in turn and its
 *       last answer repeats;
 *   <li>{@link #issuingTokens()}, {@link #finalizingSessions()} and {@link #answeringStatus} turn
 *       on the usual defaults (a fresh token per token request, 201 to every finalize, one answer
 *       to every status request);
 *   <li>{@link #onStatus}, {@link #listShows} and {@link #refuseIssuedToken} script the status,
 *       list and token-refusal cases of status polling.
 * </ul>
 *
 * <p>Requests are answered on virtual threads, so an answer may block (see {@link #after} and
 * {@link #hang()}) without holding up the others.
 */
public final class StubCryptshare implements AutoCloseable {

  /** A recorded request; header names are lower case; {@code receivedNanos} is System.nanoTime. */
  public record Request(
      String method, String path, Map<String, List<String>> headers, long receivedNanos) {

    public @Nullable String header(String name) {
      var values = headers.get(name.toLowerCase());
      return values == null ? null : values.getFirst();
    }
  }

  /** How to answer one request. */
  @FunctionalInterface
  public interface Answer {
    void write(HttpExchange exchange) throws IOException;
  }

  /** The verification token header the refusals look at. */
  public static final String TOKEN_HEADER = "X-CS-VerificationToken";

  private static final String SENDER = "[^/]+";
  private static final Pattern TOKEN =
      Pattern.compile("/api/users/" + SENDER + "/verification/token");
  private static final Pattern FINALIZE =
      Pattern.compile("/api/users/(" + SENDER + ")/transfer-sessions/([^/]+)");
  private static final Pattern STATUS =
      Pattern.compile("/api/users/" + SENDER + "/transfers/[^/]+");
  private static final Pattern LIST = Pattern.compile("/api/users/" + SENDER + "/transfers");

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Routes routes = new Routes();
  private final List<String> issuedTokens = new CopyOnWriteArrayList<>();
  private final Map<Integer, Answer> refusedTokens = new ConcurrentHashMap<>();
  private final CountDownLatch released = new CountDownLatch(1);

  public StubCryptshare() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Cryptshare stub", e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  // ---- paths -------------------------------------------------------------------------------

  public static String tokenPath(String sender) {
    return "/api/users/" + sender + "/verification/token";
  }

  public static String finalizePath(String sender, String trackingId) {
    return "/api/users/" + sender + "/transfer-sessions/" + trackingId;
  }

  public static String statusPath(String sender, String trackingId) {
    return "/api/users/" + sender + "/transfers/" + trackingId;
  }

  // ---- scripting ---------------------------------------------------------------------------

  /** Answers the next requests to {@code method path} in turn; the last answer repeats. */
  public StubCryptshare on(String method, String path, Answer... script) {
    return on(method, Pattern.compile(Pattern.quote(path)), script);
  }

  /** Answers the next requests to {@code method} and a matching path in turn; the last repeats. */
  public StubCryptshare on(String method, Pattern path, Answer... script) {
    routes.script(method, path, script);
    return this;
  }

  /**
   * Every token request gets a fresh, unique token valid for an hour, recorded in {@link
   * #issuedTokens()}.
   */
  public StubCryptshare issuingTokens() {
    return on("POST", TOKEN, this::issueToken);
  }

  /** Every finalize succeeds: 201 with a relative {@code Location} (see {@link #finalized()}). */
  public StubCryptshare finalizingSessions() {
    return on("POST", FINALIZE, finalized());
  }

  /** Every status request of any sender and tracking id gets {@code answer}. */
  public StubCryptshare answeringStatus(Answer answer) {
    return on("GET", STATUS, answer);
  }

  /** Answers the status requests of {@code trackingId} (any sender) in turn; the last repeats. */
  public StubCryptshare onStatus(String trackingId, Answer... script) {
    return on("GET", statusOf(trackingId), script);
  }

  /** Every sender's transfer list (every page) shows these {@code trackingId: state}. */
  public StubCryptshare listShows(Map<String, String> states) {
    var rows = new StringBuilder();
    states.forEach(
        (trackingId, state) ->
            rows.append(rows.isEmpty() ? "" : ",")
                .append(
                    "{\"trackingId\": \"%s\", \"state\": \"%s\"}".formatted(trackingId, state)));
    return on("GET", LIST, json(200, "{\"data\": [" + rows + "], \"meta\": {}}"));
  }

  /**
   * The next request carrying the {@code n}th token issued by {@link #issuingTokens()} (counted
   * from 1) gets {@code refusal} instead of its scripted answer, once.
   */
  public StubCryptshare refuseIssuedToken(int n, Answer refusal) {
    refusedTokens.put(n, refusal);
    return this;
  }

  // ---- what happened -----------------------------------------------------------------------

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String method, String path) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().equals(path))
        .toList();
  }

  public List<Request> requests(String method, Pattern path) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && path.matcher(r.path()).matches())
        .toList();
  }

  /** The tokens {@link #issuingTokens()} handed out, in order. */
  public List<String> issuedTokens() {
    return List.copyOf(issuedTokens);
  }

  /** Status requests of {@code trackingId}, any sender. */
  public int statusCalls(String trackingId) {
    return requests("GET", statusOf(trackingId)).size();
  }

  /** When each status request of {@code trackingId} arrived, as {@link System#nanoTime()}. */
  public List<Long> statusCallTimes(String trackingId) {
    return requests("GET", statusOf(trackingId)).stream().map(Request::receivedNanos).toList();
  }

  /** Transfer list requests, any sender, any page. */
  public int listCalls() {
    return requests("GET", LIST).size();
  }

  // ---- answers -----------------------------------------------------------------------------

  /** A JSON answer, with extra headers as name, value pairs. */
  public static Answer json(int status, String body, String... headerPairs) {
    return Answers.json(status, body, headerPairs);
  }

  /** Cryptshare's error body, with extra headers (e.g. {@code Retry-After}) as pairs. */
  public static Answer error(int status, int errorCode, String message, String... headerPairs) {
    return Answers.error(status, errorCode, message, headerPairs);
  }

  /** A token answer (201). */
  public static Answer token(String value, String validUntil) {
    return Answers.token(value, validUntil);
  }

  /** Any content type, e.g. an HTML error page of a proxy. */
  public static Answer raw(int status, String contentType, String body) {
    return Answers.raw(status, contentType, body);
  }

  /** A status answer in {@code state}, without warnings or recipients. */
  public static Answer state(String state) {
    return Answers.state(state);
  }

  /** {@code ACTIVE} with warnings and one recipient (bob@example.org) with this download URL. */
  public static Answer active(String downloadUrl) {
    return Answers.active(downloadUrl);
  }

  /** The answer to a finalize: 201 with a relative {@code Location} to the transfer's status. */
  public static Answer finalized() {
    return Answers.finalized(FINALIZE);
  }

  /** Answers only once {@code release} is counted down. */
  public static Answer after(CountDownLatch release, Answer answer) {
    return Answers.after(release, answer);
  }

  /** Never answers (until the stub closes), so the client's read timeout strikes. */
  public Answer hang() {
    return exchange -> {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    };
  }

  // ---- serving -----------------------------------------------------------------------------

  private static Pattern statusOf(String trackingId) {
    return Pattern.compile("/api/users/" + SENDER + "/transfers/" + Pattern.quote(trackingId));
  }

  private void issueToken(HttpExchange exchange) throws IOException {
    // Unique and unguessable, so a test can check that a token never shows up in a log.
    var token = "token" + (issuedTokens.size() + 1) + UUID.randomUUID().toString().replace("-", "");
    issuedTokens.add(token);
    token(token, Instant.now().plusSeconds(3600).toString()).write(exchange);
  }

  private void handle(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    var headers = new HashMap<String, List<String>>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
    var request =
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            Map.copyOf(headers),
            System.nanoTime());
    requests.add(request);
    answerTo(request).write(exchange);
  }

  private Answer answerTo(Request request) {
    var token = request.header(TOKEN_HEADER);
    var issued = token == null ? -1 : issuedTokens.indexOf(token);
    if (issued >= 0) {
      var refusal = refusedTokens.remove(issued + 1);
      if (refusal != null) {
        return refusal;
      }
    }
    var scripted = routes.next(request.method(), request.path());
    return scripted != null ? scripted : error(404, 1006, "no such endpoint");
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}

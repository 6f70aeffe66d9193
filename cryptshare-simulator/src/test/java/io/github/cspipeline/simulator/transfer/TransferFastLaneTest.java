package io.github.cspipeline.simulator.transfer;

import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.sessionPath;
import static io.github.cspipeline.simulator.SimulatorClient.statusPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast lane answers exactly as the dispatcher: each request is also sent with a query string,
 * which the endpoints ignore and which sends it the usual way.
 */
class TransferFastLaneTest extends SimulatorTestSupport {

  private static final String VIA_DISPATCHER = "?via=dispatcher";

  @ParameterizedTest
  @CsvSource({
    "POST, /api/users/a@example.com/transfer-sessions/20261126-101500-AbCdEfGh, true,"
        + " a@example.com, 20261126-101500-AbCdEfGh",
    "GET, /api/users/a@example.com/transfers/T1, false, a@example.com, T1",
    "GET, /api/users/not-an-address/transfers/bad.id, false, not-an-address, bad.id",
  })
  void takes_finalize_and_status(
      String method, String path, boolean post, String sender, String trackingId) {
    assertThat(TransferFastLane.route(method, path))
        .isEqualTo(new TransferFastLane.Route(post, sender, trackingId));
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /api/users/a@example.com/transfer-sessions/T1",
    "POST, /api/users/a@example.com/transfers/T1",
    "PUT, /api/users/a@example.com/transfers/T1",
    "HEAD, /api/users/a@example.com/transfers/T1",
    "GET, /api/users/a@example.com/transfers",
    "GET, /api/users/a@example.com/transfers/",
    "GET, /api/users/a@example.com/transfers/T1/",
    "GET, /api/users/a@example.com/transfers/T1/files/F1",
    "GET, /api/users//transfers/T1",
    "GET, /api/users/a%40example.com/transfers/T1",
    "GET, /api/users/a@example.com/transfers/T1;jsessionid=1",
    "GET, /api/users/a@example.com/transfersX/T1",
    "GET, /api/users/a@example.com/transferz/T1",
    "POST, /api/users/a@example.com/transfer-sessions",
    "GET, /api/clients",
  })
  void leaves_everything_else_to_the_dispatcher(String method, String path) {
    assertThat(TransferFastLane.route(method, path)).isNull();
  }

  @Test
  void answers_a_status_request_as_the_dispatcher_does() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.finalizedTransfer(SENDER, token);

    Response fast = simulator.status(SENDER, token, trackingId);
    Response usual =
        simulator.send(simulator.api(statusPath(SENDER, trackingId) + VIA_DISPATCHER, token).GET());

    assertThat(fast.status()).isEqualTo(200);
    assertSame(fast, usual);
    assertThat(fast.body()).isEqualTo(usual.body());
  }

  @Test
  void answers_a_finalize_as_the_dispatcher_does() {
    String token = simulator.token(SENDER);
    String fastId = simulator.completeSession(SENDER, token);
    String usualId = simulator.completeSession(SENDER, token);

    Response fast = simulator.finalizeTransfer(SENDER, token, fastId);
    Response usual =
        simulator.send(
            simulator
                .api(sessionPath(SENDER, usualId) + VIA_DISPATCHER, token)
                .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(fast.status()).isEqualTo(201);
    assertSame(fast, usual);
    assertThat(fast.location()).isEqualTo(simulator.base() + statusPath(SENDER, fastId));
    assertThat(fast.body()).isEmpty();
    assertThat(simulator.state(SENDER, token, fastId)).isEqualTo("PROCESSING");
  }

  @Test
  void leaves_a_failing_request_to_the_dispatcher_and_its_error_handler() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);

    Response unknown = simulator.status(SENDER, token, trackingId);
    Response badToken = simulator.finalizeTransfer(SENDER, "not-a-token", trackingId);

    assertError(unknown, 404, 2003);
    assertSame(
        unknown,
        simulator.send(
            simulator.api(statusPath(SENDER, trackingId) + VIA_DISPATCHER, token).GET()));
    assertError(badToken, 401, 3002);
    assertSame(
        badToken,
        simulator.send(
            simulator
                .api(sessionPath(SENDER, trackingId) + VIA_DISPATCHER, "not-a-token")
                .POST(HttpRequest.BodyPublishers.noBody())));
    assertThat(simulator.finalizeTransfer(SENDER, token, trackingId).status()).isEqualTo(201);
  }

  /** Same status and headers, but the date and the tracking id in the Location. */
  private static void assertSame(Response fast, Response usual) {
    assertThat(fast.status()).isEqualTo(usual.status());
    assertThat(headers(fast)).isEqualTo(headers(usual));
  }

  private static Map<String, Object> headers(Response response) {
    Map<String, Object> headers = new TreeMap<>(response.headers().map());
    headers.remove("date");
    headers.computeIfPresent(
        "location",
        (name, value) -> value.toString().replaceAll("transfers/[^/\\]]+", "transfers/ID"));
    return headers;
  }
}

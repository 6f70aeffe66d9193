package io.github.cspipeline.simulator.fault;

import static io.github.cspipeline.simulator.SimulatorClient.CLIENT_ID;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.sessionPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class FaultInjectionTest extends SimulatorTestSupport {

  @ParameterizedTest
  @CsvSource({"503, 5000", "500, 5000", "429, 2007", "404, 2003"})
  void answers_injected_errors_with_the_error_envelope_without_taking_effect(
      int status, int errorCode) {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.faults("{\"errorRate\": 1.0, \"errorStatus\": " + status + "}");

    Response response = simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.controlOk("DELETE", "/simulator/faults", null);

    assertThat(response.status()).isEqualTo(status);
    assertThat(response.errorCode()).isEqualTo(errorCode);
    JsonNode calls = simulator.transferCalls(trackingId);
    assertThat(calls.get("finalizeCalls").asInt()).isEqualTo(1);
    assertThat(calls.get("state").isNull()).isTrue();
    assertThat(calls.get("sessionOpen").asBoolean()).isTrue();
    assertThat(simulator.stats().get("faults").get("injectedErrors").asLong()).isEqualTo(1);
  }

  @Test
  void sends_retry_after_with_an_injected_429() {
    simulator.faults("{\"errorRate\": 1.0, \"errorStatus\": 429, \"retryAfterSeconds\": 4}");

    Response response = simulator.send(simulator.api("/api/clients"));

    assertThat(response.status()).isEqualTo(429);
    assertThat(response.header("Retry-After")).hasValue("4");
  }

  @Test
  void delays_every_answer_by_the_configured_latency() {
    simulator.faults("{\"latency\": \"PT0.3S\"}");

    long started = System.nanoTime();
    Response response = simulator.send(simulator.api("/api/clients"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(response.status()).isEqualTo(200);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void lets_a_finalize_take_effect_and_then_drops_the_connection_without_an_answer() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.faults("{\"lostResponseRate\": 1.0}");

    assertThatThrownBy(
            () -> simulator.sendOrThrow(simulator.finalizeRequest(SENDER, token, trackingId)))
        .isInstanceOf(IOException.class);

    simulator.controlOk("DELETE", "/simulator/faults", null);
    JsonNode calls = simulator.transferCalls(trackingId);
    assertThat(calls.get("finalizeCalls").asInt()).isEqualTo(1);
    assertThat(calls.get("state").asString()).isEqualTo("PROCESSING");
    assertThat(simulator.state(SENDER, token, trackingId)).isEqualTo("PROCESSING");
    Response retry = simulator.finalizeTransfer(SENDER, token, trackingId);
    assertError(retry, 404, 2003);
    assertThat(simulator.stats().get("faults").get("lostResponses").asLong()).isEqualTo(1);
  }

  @Test
  void counts_finalizes_refused_by_an_injected_error_an_outage_or_the_rate_limit_as_refused() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);

    simulator.faults("{\"errorRate\": 1.0, \"errorStatus\": 503}");
    Response injected = simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.faults("{\"errorRate\": 0.0, \"outage\": true}");
    Response outage = simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.faults("{\"outage\": false, \"rateLimitPerSecond\": 1}");
    simulator.send(simulator.api("/api/clients"));
    Response limited = simulator.finalizeTransfer(SENDER, token, trackingId);
    simulator.controlOk("DELETE", "/simulator/faults", null);
    Response created = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertThat(new int[] {injected.status(), outage.status(), limited.status(), created.status()})
        .containsExactly(503, 503, 429, 201);
    JsonNode calls = simulator.transferCalls(trackingId);
    assertThat(calls.get("finalizeCalls").asInt()).isEqualTo(4);
    assertThat(calls.get("effectiveFinalizes").asInt()).isEqualTo(1);
    assertThat(calls.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(1, 3, 0, 0));
  }

  @Test
  void counts_a_lost_answer_as_answer_lost_only_when_the_finalize_took_effect() {
    String token = simulator.token(SENDER);
    String incomplete = simulator.createSession(SENDER, token, "bob@example.org");
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.faults("{\"lostResponseRate\": 1.0}");

    assertThatThrownBy(
            () -> simulator.sendOrThrow(simulator.finalizeRequest(SENDER, token, incomplete)))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () -> simulator.sendOrThrow(simulator.finalizeRequest(SENDER, token, trackingId)))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () -> simulator.sendOrThrow(simulator.finalizeRequest(SENDER, token, trackingId)))
        .isInstanceOf(IOException.class);

    simulator.controlOk("DELETE", "/simulator/faults", null);
    JsonNode lost = simulator.transferCalls(trackingId);
    assertThat(lost.get("finalizeCalls").asInt()).isEqualTo(2);
    assertThat(lost.get("effectiveFinalizes").asInt()).isEqualTo(1);
    assertThat(lost.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(0, 0, 1, 1));
    JsonNode refused = simulator.transferCalls(incomplete);
    assertThat(refused.get("effectiveFinalizes").asInt()).isZero();
    assertThat(refused.get("finalizeOutcomes")).isEqualTo(SimulatorClient.outcomes(0, 1, 0, 0));
  }

  @Test
  void sends_not_a_single_byte_back_when_a_response_is_lost() throws IOException {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.faults("{\"lostResponseRate\": 1.0}");

    byte[] answer;
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + sessionPath(SENDER, trackingId)
                  + " HTTP/1.1\r\n"
                  + "Host: localhost\r\n"
                  + "X-CS-MajorApiVersion: 1\r\n"
                  + "X-CS-MinimumMinorApiVersion: 10\r\n"
                  + "X-CS-ClientId: "
                  + CLIENT_ID
                  + "\r\n"
                  + "X-CS-VerificationToken: "
                  + token
                  + "\r\n"
                  + "Content-Length: 0\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      answer = readUntilClosed(socket.getInputStream());
    }

    assertThat(answer).isEmpty();
    simulator.controlOk("DELETE", "/simulator/faults", null);
    assertThat(simulator.transferCalls(trackingId).get("state").asString()).isEqualTo("PROCESSING");
  }

  @Test
  void refuses_requests_above_the_rate_limit_with_429_2007_and_retry_after() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.completeSession(SENDER, token);
    simulator.faults("{\"rateLimitPerSecond\": 2, \"retryAfterSeconds\": 7}");

    Response first = simulator.send(simulator.api("/api/clients"));
    Response second = simulator.send(simulator.api("/api/clients"));
    Response refused = simulator.finalizeTransfer(SENDER, token, trackingId);
    JsonNode callsWhileRefused = simulator.transferCalls(trackingId);
    clock.advance(Duration.ofMillis(999));
    Response stillRefused = simulator.send(simulator.api("/api/clients"));
    clock.advance(Duration.ofMillis(1));
    Response admitted = simulator.finalizeTransfer(SENDER, token, trackingId);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertError(refused, 429, 2007);
    assertThat(refused.header("Retry-After")).hasValue("7");
    assertThat(callsWhileRefused.get("state").isNull()).isTrue();
    assertThat(callsWhileRefused.get("sessionOpen").asBoolean()).isTrue();
    assertThat(stillRefused.status()).isEqualTo(429);
    assertThat(admitted.status()).isEqualTo(201);
    assertThat(simulator.stats().get("faults").get("rateLimited").asLong()).isEqualTo(2);
  }

  @Test
  void answers_503_5000_to_every_api_request_during_an_outage_but_keeps_the_control_api() {
    String token = simulator.token(SENDER);
    simulator.faults("{\"outage\": true}");

    Response clients = simulator.send(simulator.api("/api/clients"));
    Response list = simulator.list(SENDER, token, "");
    Response unknown = simulator.send(simulator.plain("/api/unknown"));
    JsonNode faults = simulator.controlOk("GET", "/simulator/faults", null);

    assertThat(new Response[] {clients, list, unknown})
        .allSatisfy(response -> assertError(response, 503, 5000));
    assertThat(faults.get("outage").asBoolean()).isTrue();
  }

  @Test
  void answers_normally_again_once_the_faults_are_deleted() {
    simulator.faults("{\"outage\": true, \"errorRate\": 1.0, \"rateLimitPerSecond\": 1}");

    simulator.controlOk("DELETE", "/simulator/faults", null);

    assertThat(simulator.send(simulator.api("/api/clients")).status()).isEqualTo(200);
    assertThat(simulator.send(simulator.api("/api/clients")).status()).isEqualTo(200);
  }

  @Test
  void updates_fault_settings_partially() {
    simulator.faults("{\"errorRate\": 0.2, \"errorStatus\": 502}");
    JsonNode faults = simulator.controlOk("PUT", "/simulator/faults", "{\"latency\": \"PT0.1S\"}");

    assertThat(faults.get("errorRate").asDouble()).isEqualTo(0.2);
    assertThat(faults.get("errorStatus").asInt()).isEqualTo(502);
    assertThat(faults.get("latency").asString()).isEqualTo("PT0.1S");
    assertThat(faults.get("lostResponseRate").asDouble()).isZero();
    assertThat(faults.get("rateLimitPerSecond").asInt()).isZero();
    assertThat(faults.get("retryAfterSeconds").asInt()).isEqualTo(1);
    assertThat(faults.get("outage").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"errorRate\": 1.5}",
        "{\"errorStatus\": 200}",
        "{\"latency\": \"PT-1S\"}",
        "{\"lostResponseRate\": -0.1}",
        "{\"rateLimitPerSecond\": -1}"
      })
  void refuses_invalid_fault_settings(String json) {
    Response response = simulator.control("PUT", "/simulator/faults", json);

    assertThat(response.status()).isEqualTo(400);
    assertThat(simulator.controlOk("GET", "/simulator/faults", null).get("errorRate").asDouble())
        .isZero();
  }

  private static byte[] readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int read; (read = in.read(buffer)) != -1; ) {
        received.write(buffer, 0, read);
      }
    } catch (SocketException reset) {
      // A reset is as good as a close: the client got no answer either way.
    }
    return received.toByteArray();
  }
}

package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SCOPED_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SLOW_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class FinalizationApiIT extends AbstractGatewayIT {

  @Test
  void accepts_a_finalize_request_and_emits_one_command_with_cloud_event_headers() {
    var trackingId = uniqueTrackingId("20261126-101500");

    var response = post(port, KEY, body("alice@example.com", trackingId));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.headers().firstValue("Location"))
        .hasValue("/api/v1/transfers/" + trackingId + "?server=default");
    var answer = WireFormat.mapper().readTree(response.body());
    assertThat(answer.path("state").asString()).isEqualTo("ACCEPTED");
    assertThat(answer.path("sender").asString()).isEqualTo("alice@example.com");
    assertThat(answer.path("acceptedAt").asString()).isNotEmpty();

    var records = commandsSinceStart();
    assertThat(records).hasSize(1);
    var record = records.getFirst();
    assertThat(record.key()).isEqualTo(trackingId);
    var command = WireFormat.mapper().readValue(record.value(), FinalizeCommand.class);
    assertThat(command.trackingId()).isEqualTo(trackingId);
    assertThat(command.server()).isEqualTo("default");
    assertThat(command.credential()).isNull();
    assertThat(command.requestedAt())
        .isEqualTo(Instant.parse(answer.path("acceptedAt").asString()));
    assertThat(header(record, CloudEvents.ID)).isEqualTo(command.commandId().toString());
    assertThat(header(record, CloudEvents.TYPE)).isEqualTo(FinalizeCommand.CLOUD_EVENT_TYPE);
    assertThat(header(record, CloudEvents.SUBJECT)).isEqualTo(trackingId);
    assertThat(header(record, CloudEvents.DATA_SCHEMA))
        .isEqualTo(FinalizeCommand.DATA_SCHEMA.toString());
    assertThat(recordsSinceStart(CLAIMS)).hasSize(1);
  }

  @Test
  void a_repeated_request_is_answered_with_the_current_state_and_emits_nothing() {
    var trackingId = uniqueTrackingId("repeat");
    var first = post(port, KEY, body("alice@example.com", trackingId));
    assertThat(first.statusCode()).isEqualTo(202);

    var repeat = post(port, KEY, body("ALICE@example.com", trackingId));

    assertThat(repeat.statusCode()).isEqualTo(202);
    assertThat(WireFormat.mapper().readTree(repeat.body()).path("acceptedAt"))
        .isEqualTo(WireFormat.mapper().readTree(first.body()).path("acceptedAt"));
    assertThat(commandsSinceStart()).hasSize(1);
  }

  @Test
  void the_same_tracking_id_for_another_sender_is_a_conflict() {
    var trackingId = uniqueTrackingId("conflict");
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);

    var other = post(port, KEY, body("mallory@example.com", trackingId));

    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(code(other.body())).isEqualTo("TRACKING_ID_CONFLICT");
    assertThat(commandsSinceStart()).hasSize(1);
  }

  @Test
  void an_idempotency_key_gives_the_same_answer_for_the_same_body_and_422_for_another() {
    var trackingId = uniqueTrackingId("idem");
    var key = Map.of("Idempotency-Key", "order-" + trackingId);
    var first = post(port, KEY, body("alice@example.com", trackingId), key);
    var again = post(port, KEY, body("alice@example.com", trackingId), key);
    var otherBody = post(port, KEY, body("alice@example.com", trackingId + "x"), key);
    var otherCaller = post(port, SCOPED_KEY, body("alice@example.com", trackingId + "y"), key);

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(otherBody.statusCode()).isEqualTo(422);
    assertThat(code(otherBody.body())).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(otherCaller.statusCode()).as("keys are scoped per credential").isEqualTo(202);
    assertThat(commandsSinceStart())
        .extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder(trackingId, trackingId + "y");
  }

  @Test
  void a_pass_through_token_travels_only_sealed_and_is_never_logged(CapturedOutput output)
      throws Exception {
    var trackingId = uniqueTrackingId("token");
    var token = "vt-" + java.util.UUID.randomUUID();

    var response =
        post(
            port,
            KEY,
            body("alice@example.com", trackingId),
            Map.of("X-CS-VerificationToken", token));

    assertThat(response.statusCode()).isEqualTo(202);
    var record = commandsSinceStart().getFirst();
    assertThat(record.value()).doesNotContain(token);
    var credential =
        WireFormat.mapper().readValue(record.value(), FinalizeCommand.class).credential();
    assertThat(credential).startsWith("v1.k1.");
    assertThat(open(credential, "default\nalice@example.com\n" + trackingId)).isEqualTo(token);
    assertThat(recordsSinceStart(CLAIMS))
        .allSatisfy(r -> assertThat(r.value()).doesNotContain(token));
    assertThat(output.getAll()).doesNotContain(token);
  }

  @Test
  void a_key_over_its_rate_gets_429_with_retry_after() {
    var answers =
        java.util.stream.IntStream.range(0, 6)
            .mapToObj(i -> get(port, SLOW_KEY, "/api/v1/transfers/rate-" + i))
            .toList();

    assertThat(answers).extracting(r -> r.statusCode()).contains(404, 429);
    var limited = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
    assertThat(code(limited.body())).isEqualTo("RATE_LIMITED");
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void status_is_accepted_before_the_first_event_and_follows_the_events_after() {
    var trackingId = uniqueTrackingId("status");
    var path = "/api/v1/transfers/" + trackingId + "?server=default";
    assertThat(get(port, KEY, path).statusCode()).isEqualTo(404);

    post(port, KEY, body("alice@example.com", trackingId));
    assertThat(WireFormat.mapper().readTree(get(port, KEY, path).body()).path("state").asString())
        .isEqualTo("ACCEPTED");

    publish(activeEvent(trackingId));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              var view = WireFormat.mapper().readTree(get(port, KEY, path).body());
              assertThat(view.path("state").asString()).isEqualTo("ACTIVE");
              assertThat(view.path("recipients").get(0).path("downloadUrl").asString())
                  .isEqualTo("http://cs/download/1");
            });
  }

  @Test
  void status_is_forbidden_for_a_key_not_scoped_to_the_sender() {
    var trackingId = uniqueTrackingId("scoped");
    post(port, KEY, body("eve@example.org", trackingId));

    var response = get(port, SCOPED_KEY, "/api/v1/transfers/" + trackingId);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(code(response.body())).isEqualTo("FORBIDDEN_SENDER");
  }

  @Test
  void health_needs_no_key_on_the_management_port_and_readiness_includes_kafka() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              var readiness = get(managementPort, "", "/actuator/health/readiness");
              assertThat(readiness.statusCode()).isEqualTo(200);
              assertThat(readiness.body()).contains("\"kafka\"");
            });
    assertThat(get(managementPort, "", "/actuator/health").statusCode()).isEqualTo(200);
    assertThat(get(managementPort, "", "/actuator/health/liveness").statusCode()).isEqualTo(200);
  }

  @Test
  void metrics_and_info_are_served_without_a_key_on_the_management_port_only() {
    assertThat(managementPort).isNotEqualTo(port);
    for (var open : List.of("/actuator/prometheus", "/actuator/info", "/actuator/metrics")) {
      assertThat(get(managementPort, "", open).statusCode()).as(open).isEqualTo(200);
    }
    // The public port serves no actuator endpoint at all: with a valid key there is nothing.
    for (var absent :
        List.of(
            "/actuator/prometheus",
            "/actuator/info",
            "/actuator/metrics",
            "/actuator/health",
            "/actuator")) {
      assertThat(get(port, KEY, absent).statusCode()).as(absent).isEqualTo(404);
      assertThat(get(port, "", absent).statusCode()).as(absent).isIn(401, 404);
    }
  }

  @Test
  void metrics_count_requests_by_route_and_outcome_and_time_the_accept() {
    post(port, KEY, body("alice@example.com", uniqueTrackingId("metrics")));
    post(port, KEY, "{");

    var metrics = get(managementPort, "", "/actuator/prometheus").body();

    assertThat(metrics)
        .contains(
            "cryptshare_gateway_requests_total{outcome=\"accepted\",route=\"POST /api/v1/finalizations\"")
        .contains(
            "cryptshare_gateway_requests_total{outcome=\"malformed_body\",route=\"POST /api/v1/finalizations\"")
        .contains("cryptshare_gateway_accept_latency_seconds_bucket");
  }

  static TransferEvent activeEvent(String trackingId) {
    return TransferEvent.of(
            "default",
            "alice@example.com",
            trackingId,
            TransferState.ACTIVE,
            TransferState.PROCESSING,
            Instant.now())
        .withStatusUrl(URI.create("http://cs/api/users/alice@example.com/transfers/" + trackingId))
        .withCryptshareDetails(
            "ACTIVE",
            false,
            List.of(new Recipient("bob@example.org", URI.create("http://cs/download/1"), false)));
  }

  /** Opens a sealed credential as the worker will: the format of the contract, key k1. */
  private static String open(String credential, String aad) throws Exception {
    var bytes = java.util.Base64.getUrlDecoder().decode(credential.split("\\.")[2]);
    var cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(
            java.util.Base64.getDecoder().decode(GatewayFixtures.CREDENTIAL_KEY), "AES"),
        new GCMParameterSpec(128, bytes, 0, 12));
    cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
    return new String(cipher.doFinal(bytes, 12, bytes.length - 12), StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  static String code(String problem) {
    return WireFormat.mapper().readTree(problem).path("code").asString();
  }
}

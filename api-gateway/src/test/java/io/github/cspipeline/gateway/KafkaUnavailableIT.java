package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.WireFormat;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A gateway whose Kafka is gone must refuse, not half-accept. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    // Started as main() starts it, with the application's defaults (ADR 031).
    useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class KafkaUnavailableIT {

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    int closedPort;
    try (var socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    registry.add("spring.kafka.bootstrap-servers", () -> "localhost:" + closedPort);
    registry.add("cryptshare.gateway.send-timeout", () -> "1s");
    registry.add("cryptshare.gateway.retry-after", () -> "7s");
    registry.add("spring.kafka.admin.fail-fast", () -> "false");
    registry.add("spring.kafka.admin.operation-timeout", () -> "2s");
    registry.add("cryptshare.gateway.claim-ttl", () -> "5s");
    GatewayFixtures.properties().forEach((k, v) -> registry.add(k, () -> v));
  }

  @Value("${local.server.port}")
  int port;

  @Value("${local.management.port}")
  int managementPort;

  @Test
  void answers_503_with_retry_after_and_does_not_report_the_request_as_accepted() {
    long started = System.nanoTime();
    var response = post(port, KEY, body("alice@example.com", "no-kafka-1"));
    var took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(response.statusCode()).isEqualTo(503);
    // Send timeout 1 s; the send's observation looked the cluster id up for 60 s before.
    assertThat(took).as("the answer within a few send timeouts").isLessThan(Duration.ofSeconds(15));
    assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(WireFormat.mapper().readTree(response.body()).path("code").asString())
        .isEqualTo("KAFKA_UNAVAILABLE");
    assertThat(get(port, KEY, "/api/v1/transfers/no-kafka-1").statusCode()).isEqualTo(404);
    assertThat(get(managementPort, "", "/actuator/health/readiness").statusCode()).isEqualTo(503);
  }
}

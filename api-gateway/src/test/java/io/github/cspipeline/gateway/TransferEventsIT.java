package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SCOPED_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/** Live updates of one transfer as Server-Sent Events. */
class TransferEventsIT extends AbstractGatewayIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void streams_the_current_view_then_each_change_and_ends_at_the_terminal_state() throws Exception {
    var trackingId = uniqueTrackingId("sse");
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    var lines = new CopyOnWriteArrayList<String>();

    var stream =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://localhost:"
                            + port
                            + "/api/v1/transfers/"
                            + trackingId
                            + "/events?server=default"))
                .header("Authorization", "Bearer " + KEY)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    var response = stream.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    var reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));

    await().atMost(Duration.ofSeconds(10)).until(() -> states(lines).contains("ACCEPTED"));
    publish(
        TransferEvent.processing(
            "default",
            "alice@example.com",
            trackingId,
            Instant.now(),
            URI.create("http://cs/api/users/alice@example.com/transfers/" + trackingId)));
    await().atMost(Duration.ofSeconds(10)).until(() -> states(lines).contains("PROCESSING"));
    publish(FinalizationApiIT.activeEvent(trackingId));

    reader.join(Duration.ofSeconds(15));
    assertThat(reader.isAlive()).as("the stream ends after the terminal state").isFalse();
    assertThat(states(lines)).containsExactly("ACCEPTED", "PROCESSING", "ACTIVE");
    assertThat(lines).contains("event:transfer");
  }

  @Test
  void the_stream_is_forbidden_outside_the_key_scope() {
    var trackingId = uniqueTrackingId("sse");
    post(port, KEY, body("eve@example.org", trackingId));

    var response =
        GatewayFixtures.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://localhost:" + port + "/api/v1/transfers/" + trackingId + "/events"))
                .header("Authorization", "Bearer " + SCOPED_KEY)
                .header("Accept", "text/event-stream")
                .build());

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  private static List<String> states(List<String> lines) {
    return lines.stream()
        .filter(l -> l.startsWith("data:"))
        .map(l -> WireFormat.mapper().readTree(l.substring(5)).path("state").asString())
        .toList();
  }

  private void publish(TransferEvent event) {
    var factory =
        new DefaultKafkaProducerFactory<String, TransferEvent>(
            KafkaTestUtils.producerProps(broker),
            new StringSerializer(),
            new JacksonJsonSerializer<>(WireFormat.mapper()));
    try {
      new KafkaTemplate<>(factory)
          .send(new ProducerRecord<>(Topics.TRANSFER_EVENTS, event.trackingId(), event))
          .join();
    } finally {
      factory.destroy();
    }
  }
}

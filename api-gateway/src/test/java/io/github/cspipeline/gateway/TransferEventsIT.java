package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SCOPED_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.processingEvent;
import static io.github.cspipeline.gateway.GatewayFixtures.states;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Live updates of one transfer as Server-Sent Events. */
class TransferEventsIT extends AbstractGatewayIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void streams_the_current_view_then_each_change_and_ends_at_the_terminal_state() throws Exception {
    var trackingId = uniqueTrackingId("sse");
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    var lines = new CopyOnWriteArrayList<String>();

    var response = openEvents(http, trackingId);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    var reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));

    await().atMost(Duration.ofSeconds(10)).until(() -> states(lines).contains("ACCEPTED"));
    publish(processingEvent(trackingId));
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
}

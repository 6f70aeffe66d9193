package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.eventRecord;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.processingEvent;
import static io.github.cspipeline.gateway.GatewayFixtures.states;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/**
 * The status view and its event streams show committed events only: an event of an aborted
 * transaction (a fenced poller's, say) never becomes a transfer's state, not even for a moment.
 */
class CommittedEventsIT extends AbstractGatewayIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void an_event_of_an_aborted_transaction_never_shows_and_a_committed_one_after_it_does() {
    var trackingId = uniqueTrackingId("aborted");
    var path = "/api/v1/transfers/" + trackingId + "?server=default";
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    assertThat(state(get(port, KEY, path).body())).isEqualTo("ACCEPTED");

    inTransaction(false, abandoned(trackingId));
    inTransaction(true, FinalizationApiIT.activeEvent(trackingId));

    var seen = new ArrayList<String>();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              var state = state(get(port, KEY, path).body());
              seen.add(state);
              return state.equals("ACTIVE");
            });
    // ACCEPTED may already be gone by the first look (it was seen above); what matters is that
    // the aborted ABANDONED never shows.
    assertThat(seen).isSubsetOf("ACCEPTED", "ACTIVE").last().isEqualTo("ACTIVE");
  }

  @Test
  void an_event_stream_does_not_end_on_an_aborted_terminal_event() throws Exception {
    var trackingId = uniqueTrackingId("aborted-sse");
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    var lines = new CopyOnWriteArrayList<String>();
    var response = openEvents(http, trackingId);
    assertThat(response.statusCode()).isEqualTo(200);
    var reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));
    await().atMost(Duration.ofSeconds(10)).until(() -> states(lines).contains("ACCEPTED"));

    inTransaction(false, abandoned(trackingId));
    inTransaction(true, processingEvent(trackingId));

    await().atMost(Duration.ofSeconds(10)).until(() -> states(lines).contains("PROCESSING"));
    assertThat(reader.isAlive()).as("the stream is still open").isTrue();

    inTransaction(true, FinalizationApiIT.activeEvent(trackingId));
    reader.join(Duration.ofSeconds(15));
    assertThat(reader.isAlive()).as("the stream ends after the committed terminal state").isFalse();
    assertThat(states(lines)).containsExactly("ACCEPTED", "PROCESSING", "ACTIVE");
  }

  /** Writes the events in one transaction of a new transactional producer, then ends it. */
  private void inTransaction(boolean commit, TransferEvent... events) {
    var config = new HashMap<>(KafkaTestUtils.producerProps(broker));
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "committed-events-it-" + UUID.randomUUID());
    try (var producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (var event : events) {
        // Acknowledged, so the record is in the log (and visible to read_uncommitted readers)
        // before the transaction ends.
        producer.send(eventRecord(event)).get(10, TimeUnit.SECONDS);
      }
      if (commit) {
        producer.commitTransaction();
      } else {
        producer.abortTransaction();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Could not write the test's transaction", e);
    }
  }

  private static TransferEvent abandoned(String trackingId) {
    return TransferEvent.of(
        "default",
        "alice@example.com",
        trackingId,
        TransferState.ABANDONED,
        TransferState.PROCESSING,
        Instant.now());
  }

  private static String state(String view) {
    return WireFormat.mapper().readTree(view).path("state").asString();
  }
}

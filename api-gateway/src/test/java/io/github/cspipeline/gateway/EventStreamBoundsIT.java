package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.SCOPED_KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.eventRecord;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/**
 * Event streams are bounded per credential and per instance, send heartbeats, give their slot back
 * however they end, and do not hold up a shutdown. One gateway of its own, with small bounds and a
 * short heartbeat: two streams per caller, three in all, a heartbeat every 300 ms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventStreamBoundsIT {

  private static final Pattern OPEN_STREAMS =
      Pattern.compile("(?m)^cryptshare_gateway_sse_streams(?:\\{[^}]*})? (\\S+)$");

  private EmbeddedKafkaKraftBroker broker;
  private ConfigurableApplicationContext gateway;
  private int port;
  private int managementPort;
  private final List<SseClient> clients = new ArrayList<>();

  @BeforeAll
  void start() {
    broker = new EmbeddedKafkaKraftBroker(1, 2, Topics.TRANSFER_EVENTS);
    broker.afterPropertiesSet();
    gateway =
        ApiGatewayApplication.builder()
            .run(
                GatewayFixtures.arguments(
                    Map.of(
                        "spring.config.name", "event-stream-bounds-none",
                        "server.port", "0",
                        "spring.kafka.bootstrap-servers", broker.getBrokersAsString(),
                        "cryptshare.gateway.sse.max-streams-per-caller", "2",
                        "cryptshare.gateway.sse.max-streams", "3",
                        "cryptshare.gateway.sse.heartbeat", "300ms")));
    port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
    managementPort =
        Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.management.port"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(managementPort, "", "/actuator/health/readiness").statusCode() == 200);
  }

  @AfterEach
  void closeClients() {
    clients.forEach(SseClient::close);
    clients.clear();
    // Every test starts with all slots free; the previous test's disconnects are noticed at the
    // next heartbeat.
    if (gateway.isActive()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == 0);
    }
  }

  @AfterAll
  void stop() {
    gateway.close();
    broker.destroy();
  }

  @Test
  @Order(1)
  void a_caller_over_its_bound_gets_429_and_the_instance_over_its_bound_503_until_a_stream_ends() {
    var first = transfer();
    var a = open(KEY, first);
    var b = open(KEY, transfer());
    assertThat(a.status()).isEqualTo(200);
    assertThat(b.status()).isEqualTo(200);

    var overCaller = open(KEY, transfer());
    assertThat(overCaller.status()).isEqualTo(429);
    assertThat(overCaller.header("Content-Type")).startsWith("application/problem+json");
    assertThat(overCaller.header("Retry-After")).isEqualTo("5");
    assertThat(overCaller.code()).isEqualTo("TOO_MANY_STREAMS");

    var c = open(SCOPED_KEY, transfer());
    assertThat(c.status()).as("another caller still has room").isEqualTo(200);
    var overInstance = open(SCOPED_KEY, transfer());
    assertThat(overInstance.status()).isEqualTo(503);
    assertThat(overInstance.header("Content-Type")).startsWith("application/problem+json");
    assertThat(overInstance.header("Retry-After")).isEqualTo("5");
    assertThat(overInstance.code()).isEqualTo("STREAMS_EXHAUSTED");
    assertThat(openStreams()).isEqualTo(3);

    publish(FinalizationApiIT.activeEvent(first));
    await().atMost(Duration.ofSeconds(10)).until(a::ended);
    assertThat(a.states()).containsExactly("ACCEPTED", "ACTIVE");

    await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == 2);
    assertThat(open(KEY, transfer()).status())
        .as("the slot of a stream that reached its terminal state is free again")
        .isEqualTo(200);
    var metrics = get(managementPort, "", "/actuator/prometheus").body();
    assertThat(metrics)
        .contains(
            "cryptshare_gateway_requests_total{outcome=\"too_many_streams\",route=\"GET"
                + " /api/v1/transfers/{trackingId}/events\"")
        .contains(
            "cryptshare_gateway_requests_total{outcome=\"streams_exhausted\",route=\"GET"
                + " /api/v1/transfers/{trackingId}/events\"");
  }

  @Test
  @Order(2)
  void a_silent_stream_sends_heartbeat_comments() {
    var stream = open(KEY, transfer());
    assertThat(stream.status()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> stream.lines().stream().filter(":heartbeat"::equals).count() >= 2);
    assertThat(stream.ended()).isFalse();
    assertThat(stream.states()).containsExactly("ACCEPTED");
  }

  @Test
  @Order(3)
  void the_slots_of_clients_that_went_away_are_freed_within_a_few_heartbeats() {
    var a = open(KEY, transfer());
    var b = open(KEY, transfer());
    assertThat(List.of(a.status(), b.status())).containsExactly(200, 200);
    assertThat(open(KEY, transfer()).status()).isEqualTo(429);

    // Gone without a word: the server learns of it only when a write fails.
    a.close();
    b.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> openStreams() == 0);
    var again = List.of(open(KEY, transfer()), open(KEY, transfer()));
    assertThat(again).extracting(SseClient::status).containsExactly(200, 200);
  }

  @Test
  @Order(4)
  void stopping_the_gateway_completes_open_streams_at_once() {
    var a = open(KEY, transfer());
    var b = open(SCOPED_KEY, transfer());
    assertThat(List.of(a.status(), b.status())).containsExactly(200, 200);

    long started = System.nanoTime();
    gateway.close();
    var took = Duration.ofNanos(System.nanoTime() - started);

    // The graceful shutdown would otherwise wait for the streams up to its own timeout (30 s).
    assertThat(took).isLessThan(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.ended() && b.ended());
  }

  private String transfer() {
    var trackingId = uniqueTrackingId("bounds");
    assertThat(post(port, KEY, body("alice@example.com", trackingId)).statusCode()).isEqualTo(202);
    return trackingId;
  }

  private SseClient open(String key, String trackingId) {
    var client = SseClient.open(port, key, "/api/v1/transfers/" + trackingId + "/events");
    clients.add(client);
    return client;
  }

  private double openStreams() {
    var matcher = OPEN_STREAMS.matcher(get(managementPort, "", "/actuator/prometheus").body());
    assertThat(matcher.find()).as("the gauge cryptshare.gateway.sse.streams").isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  private void publish(TransferEvent event) {
    try (var producer =
        new KafkaProducer<>(
            KafkaTestUtils.producerProps(broker), new StringSerializer(), new StringSerializer())) {
      producer.send(eventRecord(event)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An event-stream client on a plain socket, so that a test can drop the connection the way a
   * client that dies does. Lines are collected as they arrive (chunk sizes included).
   */
  private static final class SseClient implements AutoCloseable {

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    private SseClient(Socket socket, int status, Map<String, String> headers, BufferedReader in) {
      this.socket = socket;
      this.status = status;
      this.headers = headers;
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // closed by the test
                } finally {
                  ended = true;
                }
              });
    }

    static SseClient open(int port, String key, String path) {
      try {
        var socket = new Socket("localhost", port);
        socket.setSoTimeout(30_000);
        var request =
            "GET "
                + path
                + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + key
                + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        var in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        var statusLine = in.readLine();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        var headers = new java.util.TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
        for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
          int colon = line.indexOf(':');
          headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return new SseClient(socket, status, headers, in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    int status() {
      return status;
    }

    String header(String name) {
      return headers.getOrDefault(name, "");
    }

    List<String> lines() {
      return lines;
    }

    boolean ended() {
      return ended;
    }

    List<String> states() {
      return GatewayFixtures.states(lines);
    }

    /** The problem's code of a refused stream, once its body has arrived. */
    String code() {
      await().atMost(Duration.ofSeconds(5)).until(this::ended);
      var body = String.join("", lines);
      return WireFormat.mapper()
          .readTree(body.substring(body.indexOf('{'), body.lastIndexOf('}') + 1))
          .path("code")
          .asString();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }
}

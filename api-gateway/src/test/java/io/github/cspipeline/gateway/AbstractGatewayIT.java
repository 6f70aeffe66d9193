package io.github.cspipeline.gateway;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One gateway on one embedded KRaft broker, shared by every IT that extends this class (same
 * configuration, so Spring's test context cache starts it once).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    // Started as main() starts it, with the application's defaults (ADR 031).
    useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
@EmbeddedKafka(
    partitions = 2,
    topics = Topics.TRANSFER_EVENTS,
    // One broker: transactions (as the worker and the poller write events) need these.
    brokerProperties = {
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1"
    })
abstract class AbstractGatewayIT {

  static final String CLAIMS = "cryptshare.api-gateway.claims";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add(
        "spring.kafka.bootstrap-servers",
        () -> System.getProperty("spring.embedded.kafka.brokers"));
    GatewayFixtures.properties().forEach((k, v) -> registry.add(k, () -> v));
  }

  @Value("${local.server.port}")
  int port;

  /** Actuator's port: health, info and metrics, without a key (ADR 026). */
  @Value("${local.management.port}")
  int managementPort;

  @Autowired EmbeddedKafkaBroker broker;

  private KafkaConsumer<String, String> reader;
  private Map<TopicPartition, Long> mark = Map.of();

  @BeforeEach
  void markTopics() {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    reader = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    mark = endOffsets();
  }

  @AfterEach
  void closeReader() {
    reader.close();
  }

  /** End offsets of the command and claims topics now. */
  Map<TopicPartition, Long> endOffsets() {
    var partitions = new ArrayList<TopicPartition>();
    for (var topic : List.of(Topics.FINALIZE_COMMANDS, CLAIMS)) {
      reader
          .partitionsFor(topic, Duration.ofSeconds(10))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    return new HashMap<>(reader.endOffsets(partitions, Duration.ofSeconds(10)));
  }

  /**
   * Records of a topic since the test started. The gateway answers only after Kafka acknowledged
   * what it sent, so after an answer everything it sent is already there.
   */
  List<ConsumerRecord<String, String>> recordsSinceStart(String topic) {
    var partitions = mark.keySet().stream().filter(tp -> tp.topic().equals(topic)).toList();
    var end = reader.endOffsets(partitions, Duration.ofSeconds(10));
    reader.assign(partitions);
    partitions.forEach(tp -> reader.seek(tp, mark.get(tp)));
    var records = new ArrayList<ConsumerRecord<String, String>>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline
        && partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
      reader.poll(Duration.ofMillis(100)).forEach(records::add);
    }
    return records;
  }

  List<ConsumerRecord<String, String>> commandsSinceStart() {
    return recordsSinceStart(Topics.FINALIZE_COMMANDS);
  }

  /** Whether anything was written to the command or claims topic since the test started. */
  boolean nothingEmitted() {
    return endOffsets().equals(mark);
  }

  /** Publishes the event on the events topic, outside any transaction. */
  void publish(TransferEvent event) {
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

  /** Opens the event stream of a transfer on server default; answers when the headers arrived. */
  HttpResponse<Stream<String>> openEvents(HttpClient http, String trackingId) throws Exception {
    return http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://localhost:"
                            + port
                            + "/api/v1/transfers/"
                            + trackingId
                            + "/events?server=default"))
                .header("Authorization", "Bearer " + GatewayFixtures.KEY)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines())
        .get(10, TimeUnit.SECONDS);
  }
}

package io.github.cspipeline.e2e;

import io.github.cspipeline.gateway.ApiGatewayApplication;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.StatusPollerApplication;
import io.github.cspipeline.simulator.CryptshareSimulatorApplication;
import io.github.cspipeline.testkit.SimulatorControl;
import io.github.cspipeline.worker.TransferWorkerApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The whole pipeline in one JVM: simulator, gateway, worker and poller as separate Spring contexts,
 * wired to one Kafka broker, plus a consumer that records every transfer event and command. A test
 * class registers it as a static {@code @RegisterExtension} field: it starts before the class's own
 * {@code @BeforeAll} methods and closes after its tests.
 */
final class Pipeline implements BeforeAllCallback, AfterAllCallback {

  /** A record read from the commands or events topic, with its trace context. */
  record Seen(String topic, String key, String value, @Nullable Traceparent traceparent) {}

  static final String API_KEY = "e2e-key";

  /** Any 50+ alphanumerics: the simulator accepts every well-formed client id. */
  static final String CLIENT_ID = "e2eClientId".repeat(6);

  /** The AES key gateway and worker share for pass-through tokens (base64 of 32 bytes). */
  static final String CREDENTIAL_KEY =
      java.util.Base64.getEncoder().encodeToString("e2e-credential-key-of-32-bytes!!".getBytes());

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Supplier<String> kafka;
  private final boolean embeddedBroker;
  private final Map<String, String> everyService;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();
  private final List<TransferEvent> events = new CopyOnWriteArrayList<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private @Nullable EmbeddedKafkaKraftBroker broker;
  private @Nullable Thread eventReader;
  private volatile boolean running = true;
  private String bootstrapServers = "";
  private Map<String, String> workerProperties = Map.of();
  int simulatorPort;

  /** The simulator's control API, and tokens from it as a caller would get them. */
  SimulatorControl simulator;

  int gatewayPort;

  private Pipeline(
      Supplier<String> kafka, boolean embeddedBroker, Map<String, String> everyService) {
    this.kafka = kafka;
    this.embeddedBroker = embeddedBroker;
    this.everyService = everyService;
  }

  /** The pipeline on an embedded one-node KRaft broker of its own (3 partitions per topic). */
  static Pipeline onEmbeddedKafka() {
    return onEmbeddedKafka(Map.of());
  }

  /**
   * @param everyService properties given to gateway, worker and poller on top of the ones here
   */
  static Pipeline onEmbeddedKafka(Map<String, String> everyService) {
    return new Pipeline(() -> "", true, everyService);
  }

  /** The pipeline on a broker the test class starts before (e.g. a container). */
  static Pipeline on(Supplier<String> bootstrapServers) {
    return new Pipeline(bootstrapServers, false, Map.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (embeddedBroker) {
      broker = new EmbeddedKafkaKraftBroker(1, 3);
      // The poller writes in Kafka transactions; a one-node broker must keep their log on one
      // node.
      broker.brokerProperties(
          Map.of(
              "transaction.state.log.replication.factor",
              "1",
              "transaction.state.log.min.isr",
              "1"));
      broker.afterPropertiesSet();
      bootstrapServers = broker.getBrokersAsString();
    } else {
      bootstrapServers = kafka.get();
    }
    start(bootstrapServers);
  }

  private void start(String bootstrapServers) {
    simulatorPort =
        port(
            start(
                CryptshareSimulatorApplication.builder(),
                Map.of("simulator.auto-sessions", "true", "simulator.processing-time", "PT1S")));
    var simulatorUrl = "http://localhost:" + simulatorPort;
    simulator = new SimulatorControl(URI.create(simulatorUrl));
    var kafkaAndServer = new java.util.HashMap<>(everyService);
    kafkaAndServer.putAll(
        Map.of(
            "spring.kafka.bootstrap-servers", bootstrapServers,
            "cryptshare.servers.default.base-url", simulatorUrl,
            "cryptshare.servers.default.client-id", CLIENT_ID));
    workerProperties = new java.util.HashMap<>(kafkaAndServer);
    workerProperties.put("cryptshare.worker.credential-keys.e2e", CREDENTIAL_KEY);
    services.put("transfer-worker", start(TransferWorkerApplication.builder(), workerProperties));
    var pollerProperties = new java.util.HashMap<>(kafkaAndServer);
    pollerProperties.put("cryptshare.poller.first-poll-delay", "PT0.5S");
    pollerProperties.put("cryptshare.poller.backoff-max", "PT1S");
    services.put("status-poller", start(StatusPollerApplication.builder(), pollerProperties));
    var gatewayProperties = new java.util.HashMap<>(kafkaAndServer);
    gatewayProperties.put("cryptshare.gateway.api-keys[0].name", "e2e");
    gatewayProperties.put("cryptshare.gateway.api-keys[0].sha256", sha256(API_KEY));
    gatewayProperties.put("cryptshare.gateway.credential-keys.e2e", CREDENTIAL_KEY);
    gatewayProperties.put("cryptshare.gateway.credential-key-id", "e2e");
    services.put("api-gateway", start(ApiGatewayApplication.builder(), gatewayProperties));
    gatewayPort = port(services.get("api-gateway"));
    eventReader =
        Thread.ofPlatform().name("e2e-event-reader").start(() -> readEvents(bootstrapServers));
  }

  private ConfigurableApplicationContext start(
      SpringApplicationBuilder builder, Map<String, String> properties) {
    var args = new ArrayList<String>();
    // No application.yml of any module applies: each app must run on its coded defaults plus
    // what is passed here, as `java -jar` with environment variables would.
    args.add("--spring.config.name=e2e-none");
    args.add("--server.port=0");
    args.add("--management.server.port=0");
    properties.forEach((k, v) -> args.add("--" + k + "=" + v));
    var context = builder.run(args.toArray(String[]::new));
    contexts.add(context);
    return context;
  }

  /**
   * Stops the worker and starts it again, as a deployment does: with its properties plus {@code
   * extraProperties}, and with {@code extraSources} added to its Spring context (e.g. a test's
   * fault). It resumes from its state topic like any new instance.
   */
  void restartWorker(Map<String, String> extraProperties, Class<?>... extraSources) {
    var old = services.get("transfer-worker");
    old.close();
    contexts.remove(old);
    var properties = new java.util.HashMap<>(workerProperties);
    properties.putAll(extraProperties);
    services.put(
        "transfer-worker",
        start(TransferWorkerApplication.builder().sources(extraSources), properties));
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** Gateway, worker and poller by application name. */
  Map<String, ConfigurableApplicationContext> services() {
    return java.util.Collections.unmodifiableMap(services);
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  private void readEvents(String bootstrapServers) {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(Topics.TRANSFER_EVENTS, Topics.FINALIZE_COMMANDS));
      while (running) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          seen.add(
              new Seen(
                  record.topic(),
                  record.key(),
                  record.value(),
                  Traceparent.of(record.headers()).orElse(null)));
          if (record.topic().equals(Topics.TRANSFER_EVENTS)) {
            try {
              events.add(WireFormat.mapper().readValue(record.value(), TransferEvent.class));
            } catch (tools.jackson.core.JacksonException e) {
              // A test's poison record (MetricsCatalogIT): kept in `seen`, not an event.
            }
          }
        }
      }
    }
  }

  List<TransferEvent> eventsOf(String trackingId) {
    return events.stream().filter(e -> e.trackingId().equals(trackingId)).toList();
  }

  /** The records of a transfer on a topic read so far, keyed by its tracking id. */
  List<Seen> recordsOf(String topic, String trackingId) {
    return seen.stream()
        .filter(r -> r.topic().equals(topic) && trackingId.equals(r.key()))
        .toList();
  }

  /**
   * Every record on the commands and events topics up to their current ends, read anew from the
   * beginning by a consumer of its own (read_uncommitted: records of aborted transactions were
   * produced by the services too, and must meet the contract as well).
   */
  List<ConsumerRecord<String, String>> publishedRecords() {
    var config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      var partitions =
          Stream.of(Topics.FINALIZE_COMMANDS, Topics.TRANSFER_EVENTS)
              .flatMap(t -> consumer.partitionsFor(t).stream())
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var ends = consumer.endOffsets(partitions);
      var records = new ArrayList<ConsumerRecord<String, String>>();
      var deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Could not read the public topics up to " + ends);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  HttpResponse<String> finalize(String sender, String trackingId) {
    return finalize(sender, trackingId, Map.of());
  }

  /** A finalize with extra request headers, e.g. the caller's {@code traceparent}. */
  HttpResponse<String> finalize(String sender, String trackingId, Map<String, String> headers) {
    var request =
        HttpRequest.newBuilder(gateway("/api/v1/finalizations"))
            .header("Authorization", "Bearer " + API_KEY)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    """
                    {"sender": "%s", "trackingId": "%s"}"""
                        .formatted(sender, trackingId)));
    headers.forEach(request::header);
    return send(request.build());
  }

  /** A finalize that passes the caller's own verification token through the pipeline. */
  HttpResponse<String> finalizeWithToken(String sender, String trackingId, String token) {
    return send(
        HttpRequest.newBuilder(gateway("/api/v1/finalizations"))
            .header("Authorization", "Bearer " + API_KEY)
            .header("Content-Type", "application/json")
            .header("X-CS-VerificationToken", token)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    """
                    {"sender": "%s", "trackingId": "%s"}"""
                        .formatted(sender, trackingId)))
            .build());
  }

  HttpResponse<String> status(String trackingId) {
    return send(
        HttpRequest.newBuilder(gateway("/api/v1/transfers/" + trackingId + "?server=default"))
            .header("Authorization", "Bearer " + API_KEY)
            .build());
  }

  private URI gateway(String path) {
    return URI.create("http://localhost:" + gatewayPort + path);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    running = false;
    try {
      if (eventReader != null) {
        eventReader.join(5_000);
      }
      for (int i = contexts.size() - 1; i >= 0; i--) {
        contexts.get(i).close();
      }
    } finally {
      if (broker != null) {
        broker.destroy();
      }
    }
  }
}

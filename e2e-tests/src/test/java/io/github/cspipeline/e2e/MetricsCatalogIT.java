package io.github.cspipeline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard ({@code deploy/grafana}) and the Prometheus alert rules ({@code
 * deploy/prometheus}) use only metrics that the apps expose: after one transfer, every metric name
 * in their PromQL is in the scrape of gateway, worker or poller. A renamed metric fails here, not
 * in an empty panel or an alert that never fires.
 */
class MetricsCatalogIT {

  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Path DASHBOARD = DEPLOY.resolve("grafana/cryptshare-pipeline.json");
  private static final Path ALERTS = DEPLOY.resolve("prometheus/cryptshare-pipeline-alerts.yml");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  // What the worker's and poller's application.yml expose (the pipeline runs without them).
  @RegisterExtension
  static final Pipeline pipeline =
      Pipeline.onEmbeddedKafka(
          Map.of("management.endpoints.web.exposure.include", "health,info,prometheus"));

  @BeforeAll
  static void start() {
    // As a load balancer would: the first request only once the gateway is ready (it answers 503
    // until it has read its topics and can send commands).
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                actuator(pipeline.services().get("api-gateway"), "health/readiness").statusCode()
                    == 200);
    new TransferScenarios(pipeline).finalizedTransferTurnsActive();
    // A record the poller cannot read: its dead-letter counter appears with the first one.
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>(Topics.TRANSFER_EVENTS, "not-an-event", "{not json"));
    }
  }

  @Test
  void every_metric_of_the_dashboard_and_the_alert_rules_is_exposed_after_one_transfer()
      throws IOException {
    var used = new TreeMap<String, String>();
    dashboardQueries().forEach(q -> metricNames(q).forEach(m -> used.putIfAbsent(m, "dashboard")));
    alertQueries().forEach(q -> metricNames(q).forEach(m -> used.putIfAbsent(m, "alert rules")));
    assertThat(used)
        .as("the queries name the metrics of every panel and rule")
        .containsKeys(
            "cryptshare_gateway_requests_total",
            "cryptshare_worker_circuit_state",
            "cryptshare_poller_stuck",
            "kafka_consumer_fetch_manager_records_lag_max");

    // Kafka client metrics appear once the consumers have fetched; the rest once the transfer
    // is done, which it is.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var exposed = new TreeSet<String>();
              pipeline.services().values().forEach(c -> exposed.addAll(names(scrape(c))));
              assertThat(exposed).containsAll(used.keySet());
            });
  }

  @Test
  void the_consumer_lag_of_worker_and_poller_is_exposed_with_a_client_id_naming_the_group() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (var app : List.of("transfer-worker", "status-poller")) {
                assertThat(scrape(pipeline.services().get(app)))
                    .as(app)
                    .containsPattern(
                        "kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"consumer-[^\"]+-[0-9]+\"");
              }
            });
  }

  @Test
  void a_ready_gateway_says_so_in_its_metrics() {
    assertThat(scrape(pipeline.services().get("api-gateway")))
        .containsPattern("(?m)^cryptshare_gateway_ready(\\{[^}]*\\})? 1\\.0$");
  }

  private static List<String> dashboardQueries() throws IOException {
    JsonNode dashboard = WireFormat.mapper().readTree(Files.readString(DASHBOARD));
    var queries = new ArrayList<String>();
    for (var panel : dashboard.path("panels")) {
      for (var target : panel.path("targets")) {
        queries.add(target.path("expr").asString());
      }
    }
    assertThat(queries).as("panels with queries in " + DASHBOARD).hasSizeGreaterThan(10);
    return queries;
  }

  @SuppressWarnings("unchecked")
  private static List<String> alertQueries() throws IOException {
    Map<String, Object> file = new Yaml().load(Files.readString(ALERTS));
    var queries = new ArrayList<String>();
    for (var group : (List<Map<String, Object>>) file.get("groups")) {
      for (var rule : (List<Map<String, Object>>) group.get("rules")) {
        queries.add(String.valueOf(rule.get("expr")));
      }
    }
    assertThat(queries).as("rules in " + ALERTS).hasSizeGreaterThanOrEqualTo(6);
    return queries;
  }

  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LISTS =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![$\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "inf");

  /**
   * The metric names in a PromQL expression: identifiers that are not functions, keywords, label
   * names, strings, durations or Grafana variables.
   */
  static Set<String> metricNames(String promql) {
    var rest = STRINGS.matcher(promql).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGES.matcher(rest).replaceAll(" ");
    rest = LABEL_LISTS.matcher(rest).replaceAll(" ");
    var names = new TreeSet<String>();
    var m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      if (!KEYWORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void metric_names_are_told_apart_from_functions_labels_and_variables() {
    assertThat(
            metricNames(
                "max by (group) (label_replace(kafka_a_total{x=\"y\"}, \"group\", \"$1\","
                    + " \"client_id\", \"c-(.+)\")) > 0 and deriv(b_seconds_bucket[10m:1m]) > 0"
                    + " or vector(0) / rate(c_count[$__rate_interval]) offset 5m"))
        .containsExactlyInAnyOrder("kafka_a_total", "b_seconds_bucket", "c_count");
  }

  /** The names in a Prometheus text exposition. */
  private static Set<String> names(String exposition) {
    var names = new TreeSet<String>();
    exposition
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    return names;
  }

  /**
   * The app's {@code /actuator/prometheus}, on its management port if it has its own, with the
   * gateway's API key (which the other apps ignore).
   */
  private static String scrape(ConfigurableApplicationContext app) {
    var answer = actuator(app, "prometheus");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer.body();
  }

  private static HttpResponse<String> actuator(ConfigurableApplicationContext app, String path) {
    var environment = app.getEnvironment();
    var port =
        environment.getProperty(
            "local.management.port", environment.getRequiredProperty("local.server.port"));
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/" + path))
              .header("Authorization", "Bearer " + Pipeline.API_KEY)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package io.github.cspipeline.poller.benchmark;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The load side of {@code benchmarks/poller-benchmark.sh}, not a test: seeds transfers in {@code
 * PROCESSING} in the simulator, publishes their {@code PROCESSING} events as the worker would,
 * waits until one poller watches them all, then samples the poller's Prometheus endpoint for a
 * steady-state window and prints a summary.
 *
 * <pre>
 * PollerBenchmark create-topic --kafka=host:port [--topic=..] [--partitions=6]
 * PollerBenchmark run --kafka=.. --simulator=http://.. --poller=http://.. --poller-pid=..
 *     [--transfers=100000] [--senders=1000] [--processing=PT2H] [--warmup=90] [--duration=120]
 * </pre>
 */
public final class PollerBenchmark {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, String> options;

  private PollerBenchmark(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: create-topic|run --option=value ...");
    }
    var options = new HashMap<String, String>();
    for (int i = 1; i < args.length; i++) {
      var arg = args[i];
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value: " + arg);
      }
      options.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    // The Kafka clients log their whole configuration at INFO; this tool's output is the table.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    var benchmark = new PollerBenchmark(options);
    switch (args[0]) {
      case "create-topic" -> benchmark.createTopic();
      case "run" -> benchmark.run();
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  private String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  private String required(String name) {
    var value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  private String topic() {
    return option("topic", io.github.cspipeline.model.Topics.TRANSFER_EVENTS);
  }

  private void createTopic() throws InterruptedException, ExecutionException {
    int partitions = Integer.parseInt(option("partitions", "6"));
    try (var admin = Admin.create(Map.of("bootstrap.servers", required("kafka")))) {
      admin.createTopics(List.of(new NewTopic(topic(), partitions, (short) 1))).all().get();
      System.out.printf("Created %s with %d partitions%n", topic(), partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private void run() throws Exception {
    var simulator = URI.create(required("simulator"));
    var poller = URI.create(required("poller"));
    long pollerPid = Long.parseLong(required("poller-pid"));
    int transfers = Integer.parseInt(option("transfers", "100000"));
    int senderCount = Integer.parseInt(option("senders", "1000"));
    var processing = Duration.parse(option("processing", "PT2H"));
    var warmup = Duration.ofSeconds(Long.parseLong(option("warmup", "90")));
    var window = Duration.ofSeconds(Long.parseLong(option("duration", "120")));
    var senders =
        IntStream.range(0, senderCount)
            .mapToObj(i -> "bench-sender-%05d@example.com".formatted(i))
            .toList();

    long started = System.nanoTime();
    var seeded =
        post(
            simulator.resolve("/simulator/transfers"),
            WireFormat.mapper()
                .writeValueAsString(
                    Map.of(
                        "senders",
                        senders,
                        "count",
                        transfers,
                        "trackingIdPrefix",
                        "Bench",
                        "outcome",
                        "ACTIVE",
                        "processingTime",
                        processing.toString())));
    System.out.printf(
        "Seeded %d transfers of %d senders in PROCESSING for %s in %.1f s%n",
        seeded.path("created").asInt(), senderCount, processing, seconds(started));

    started = System.nanoTime();
    publishProcessingEvents(simulator, senders, transfers);
    System.out.printf(
        "Published %d PROCESSING events to %s in %.1f s%n", transfers, topic(), seconds(started));

    started = System.nanoTime();
    var deadline = started + TimeUnit.MINUTES.toNanos(10);
    while (true) {
      var metrics = scrape(poller);
      double watched = metrics.sum("cryptshare_poller_watched", any());
      if (watched >= transfers) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the poller watches only " + watched + " after 10 min");
      }
      Thread.sleep(1_000);
    }
    System.out.printf("The poller watches all %d after %.1f s%n", transfers, seconds(started));

    System.out.printf("Warm-up: %d s%n", warmup.toSeconds());
    double intakeLagMax = progress(poller, warmup);

    control(simulator, "DELETE", "/simulator/stats");
    var first = scrape(poller);
    var samples = new ArrayList<Sample>();
    long windowStart = System.nanoTime();
    System.out.printf("Measuring: %d s, one sample a second%n", window.toSeconds());
    while (System.nanoTime() - windowStart < window.toNanos()) {
      Thread.sleep(1_000);
      var metrics = scrape(poller);
      samples.add(new Sample(System.nanoTime(), metrics));
      if (samples.size() % 10 == 0) {
        System.out.printf("  %s%n", line(metrics));
      }
    }
    var last = samples.getLast().metrics();
    var simulatorStats = get(simulator.resolve("/simulator/stats"));
    double windowSeconds = (samples.getLast().nanos() - windowStart) / 1e9;

    // Heap after a full collection: what the watches really hold, not how lazily G1 collects.
    gc(pollerPid);
    Thread.sleep(500);
    var afterGc = scrape(poller);

    double polls =
        last.sum("cryptshare_poller_polls_total", any())
            - first.sum("cryptshare_poller_polls_total", any());
    double bulkPolls =
        last.sum("cryptshare_poller_polls_total", label("mode", "bulk"))
            - first.sum("cryptshare_poller_polls_total", label("mode", "bulk"));
    double requests =
        last.sum("cryptshare_poller_poll_latency_seconds_count", any())
            - first.sum("cryptshare_poller_poll_latency_seconds_count", any());
    double lagCount = last.sum(LAG + "_count", any()) - first.sum(LAG + "_count", any());
    double lagSum = last.sum(LAG + "_sum", any()) - first.sum(LAG + "_sum", any());
    double cpuSeconds =
        (last.sum("process_cpu_time_ns_total", any())
                - first.sum("process_cpu_time_ns_total", any()))
            / 1e9;

    var rows = new ArrayList<String[]>();
    rows.add(
        row(
            "transfers watched (gauge, min..max)",
            "%s",
            stat(samples, "cryptshare_poller_watched")));
    rows.add(row("senders", "%d", senderCount));
    rows.add(row("rate cap per server", "%s requests/s", option("rate-cap", "?")));
    rows.add(
        row(
            "heap used after full GC",
            "%.0f MiB",
            afterGc.sum("jvm_memory_used_bytes", label("area", "heap")) / MIB));
    rows.add(
        row(
            "heap used (sampled: avg / max)",
            "%.0f / %.0f MiB",
            avg(samples, "jvm_memory_used_bytes", label("area", "heap")) / MIB,
            max(samples, "jvm_memory_used_bytes", label("area", "heap")) / MIB));
    rows.add(
        row(
            "heap limit (-Xmx)",
            "%.0f MiB",
            last.sum("jvm_memory_max_bytes", label("area", "heap")) / MIB));
    rows.add(
        row(
            "process CPU (avg of samples / from CPU time)",
            "%.1f %% / %.1f %% of %d cores",
            100 * avg(samples, "process_cpu_usage", any()),
            cpuSeconds > 0
                ? 100 * cpuSeconds / windowSeconds / last.sum("system_cpu_count", any())
                : Double.NaN,
            (int) last.sum("system_cpu_count", any())));
    rows.add(
        row(
            "watches observed per second (polls, all outcomes)",
            "%.0f /s (%.0f %% from sender lists)",
            polls / windowSeconds,
            polls == 0 ? 0 : 100 * bulkPolls / polls));
    rows.add(row("requests to Cryptshare per second", "%.1f /s", requests / windowSeconds));
    rows.add(
        row(
            "simulator: requests, highest rate in any second",
            "%d, %d /s",
            simulatorStats.path("total").path("requests").asLong(),
            simulatorStats.path("total").path("maxPerSecond").asLong()));
    rows.add(
        row(
            "schedule lag mean",
            "%.1f ms (%.0f due polls started)",
            lagCount == 0 ? 0 : 1000 * lagSum / lagCount,
            lagCount));
    var lag = Histogram.between(first, last, LAG + "_bucket");
    rows.add(
        row(
            "schedule lag p50 / p99 / p99.9 (window, histogram)",
            "<= %s / <= %s / <= %s ms",
            lag.percentileMillis(0.5),
            lag.percentileMillis(0.99),
            lag.percentileMillis(0.999)));
    rows.add(row("schedule lag max (window, histogram)", "<= %s ms", lag.percentileMillis(1.0)));
    rows.add(
        row(
            "due polls started within 1 s of due",
            "%.2f %%",
            lag.total() == 0 ? 100.0 : 100.0 * lag.countAtMost(1.0) / lag.total()));
    rows.add(row("schedule lag max during intake and warm-up", "%.1f s", intakeLagMax));
    rows.add(
        row(
            "poll request latency mean",
            "%.1f ms",
            requests == 0
                ? 0
                : 1000
                    * (last.sum("cryptshare_poller_poll_latency_seconds_sum", any())
                        - first.sum("cryptshare_poller_poll_latency_seconds_sum", any()))
                    / requests));
    rows.add(
        row(
            "GC pauses in the window",
            "%.0f, %.0f ms in total",
            last.sum("jvm_gc_pause_seconds_count", any())
                - first.sum("jvm_gc_pause_seconds_count", any()),
            1000
                * (last.sum("jvm_gc_pause_seconds_sum", any())
                    - first.sum("jvm_gc_pause_seconds_sum", any()))));
    System.out.printf(
        "%n----- status-poller, one instance, steady state over %.0f s -----%n", windowSeconds);
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    for (var r : rows) {
      System.out.printf("%-" + width + "s  %s%n", r[0], r[1]);
    }
  }

  private static final double MIB = 1024.0 * 1024.0;
  private static final String LAG = "cryptshare_poller_schedule_lag_seconds";

  /** What a Prometheus histogram counted between two scrapes, by upper bound ({@code le}). */
  private record Histogram(double[] bounds, double[] cumulative) {

    static Histogram between(Metrics before, Metrics after, String name) {
      var grown = new java.util.TreeMap<Double, Double>();
      for (var entry : after.byName().getOrDefault(name, List.of())) {
        double le = le(entry.getKey());
        double was = before.sum(name, labels -> le(labels) == le);
        grown.merge(le, entry.getValue() - was, Double::sum);
      }
      var bounds = new double[grown.size()];
      var cumulative = new double[grown.size()];
      int i = 0;
      for (var entry : grown.entrySet()) {
        bounds[i] = entry.getKey();
        cumulative[i++] = entry.getValue();
      }
      return new Histogram(bounds, cumulative);
    }

    private static double le(String labels) {
      int at = labels.indexOf("le=\"");
      if (at < 0) {
        return Double.NaN;
      }
      var value = labels.substring(at + 4, labels.indexOf('"', at + 4));
      return "+Inf".equals(value) ? Double.POSITIVE_INFINITY : Double.parseDouble(value);
    }

    double total() {
      return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    double countAtMost(double seconds) {
      double count = 0;
      for (int i = 0; i < bounds.length && bounds[i] <= seconds; i++) {
        count = cumulative[i];
      }
      return count;
    }

    /** The upper bound of the bucket holding this rank, in ms ("-" when nothing was counted). */
    String percentileMillis(double quantile) {
      double total = total();
      if (total == 0) {
        return "-";
      }
      for (int i = 0; i < bounds.length; i++) {
        if (cumulative[i] >= total * quantile - 1e-9) {
          return Double.isInfinite(bounds[i])
              ? "inf"
              : String.format(Locale.ROOT, "%.0f", bounds[i] * 1000);
        }
      }
      return "inf";
    }
  }

  private record Sample(long nanos, Metrics metrics) {}

  private static String[] row(String name, String format, Object... args) {
    return new String[] {name, String.format(Locale.ROOT, format, args)};
  }

  private static double avg(List<Sample> samples, String name, Predicate<String> labels) {
    return samples.stream().mapToDouble(s -> s.metrics().sum(name, labels)).average().orElse(0);
  }

  private static double max(List<Sample> samples, String name, Predicate<String> labels) {
    return samples.stream().mapToDouble(s -> s.metrics().sum(name, labels)).max().orElse(0);
  }

  private static String stat(List<Sample> samples, String name) {
    var values =
        samples.stream().mapToDouble(s -> s.metrics().sum(name, any())).summaryStatistics();
    return "%.0f..%.0f".formatted(values.getMin(), values.getMax());
  }

  private static String line(Metrics metrics) {
    return String.format(
        Locale.ROOT,
        "watched %.0f, polls %.0f, requests %.0f, heap %.0f MiB, cpu %.0f %%, lag max %.0f ms",
        metrics.sum("cryptshare_poller_watched", any()),
        metrics.sum("cryptshare_poller_polls_total", any()),
        metrics.sum("cryptshare_poller_poll_latency_seconds_count", any()),
        metrics.sum("jvm_memory_used_bytes", label("area", "heap")) / MIB,
        100 * metrics.sum("process_cpu_usage", any()),
        1000 * metrics.sum(LAG + "_max", any()));
  }

  /** Prints progress until {@code duration} is over; returns the highest lag max seen (s). */
  private static double progress(URI poller, Duration duration) throws InterruptedException {
    double lagMax = scrape(poller).sum(LAG + "_max", any());
    long end = System.nanoTime() + duration.toNanos();
    int seconds = 0;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      var metrics = scrape(poller);
      lagMax = Math.max(lagMax, metrics.sum(LAG + "_max", any()));
      if (++seconds % 10 == 0) {
        System.out.printf("  %s%n", line(metrics));
      }
    }
    return lagMax;
  }

  private void publishProcessingEvents(URI simulator, List<String> senders, int transfers) {
    var config = new HashMap<String, Object>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, required("kafka"));
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (var producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      var now = Instant.now();
      for (int i = 0; i < transfers; i++) {
        var trackingId = "Bench-%06d".formatted(i);
        var sender = senders.get(i % senders.size());
        var statusUrl = simulator.resolve("/api/users/" + sender + "/transfers/" + trackingId);
        var event = TransferEvent.processing("default", sender, trackingId, now, statusUrl);
        var record =
            new ProducerRecord<>(topic(), trackingId, WireFormat.mapper().writeValueAsBytes(event));
        CloudEvents.addHeaders(
            record.headers(),
            event.eventId(),
            TransferEvent.CLOUD_EVENT_TYPE,
            "/cryptshare-pipeline/benchmark",
            event.occurredAt());
        producer.send(record);
      }
      producer.flush();
    }
  }

  private static void gc(long pid) {
    var jcmd =
        ProcessHandle.current()
            .info()
            .command()
            .map(java -> Path.of(java).resolveSibling("jcmd").toString())
            .orElse("jcmd");
    try {
      var process =
          new ProcessBuilder(jcmd, Long.toString(pid), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      process.waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      System.out.println("Could not run jcmd GC.run: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  // --- Prometheus text format, as much as needed here ---

  private static Predicate<String> any() {
    return labels -> true;
  }

  private static Predicate<String> label(String name, String value) {
    return labels -> labels.contains(name + "=\"" + value + "\"");
  }

  /** One scrape: every sample line as (name, labels, value). */
  private record Metrics(Map<String, List<Map.Entry<String, Double>>> byName) {

    double sum(String name, Predicate<String> labels) {
      double sum = 0;
      for (var entry : byName.getOrDefault(name, List.of())) {
        if (labels.test(entry.getKey()) && !entry.getValue().isNaN()) {
          sum += entry.getValue();
        }
      }
      return sum;
    }
  }

  private static Metrics scrape(URI poller) {
    var body = getText(poller.resolve("/actuator/prometheus"));
    var byName = new HashMap<String, List<Map.Entry<String, Double>>>();
    for (var line : body.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String name;
      String labels;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        labels = line.substring(brace, line.lastIndexOf('}') + 1);
      } else {
        name = line.substring(0, space);
        labels = "";
      }
      double value;
      try {
        value = Double.parseDouble(line.substring(space + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      byName.computeIfAbsent(name, n -> new ArrayList<>()).add(Map.entry(labels, value));
    }
    return new Metrics(byName);
  }

  // --- HTTP ---

  private static JsonNode post(URI uri, String json) {
    return send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .timeout(Duration.ofMinutes(5))
            .build());
  }

  private static JsonNode get(URI uri) {
    return send(HttpRequest.newBuilder(uri).GET().build());
  }

  private static void control(URI simulator, String method, String path) {
    send(
        HttpRequest.newBuilder(simulator.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }

  private static JsonNode send(HttpRequest request) {
    var body = call(request);
    return body.isEmpty() ? WireFormat.mapper().missingNode() : WireFormat.mapper().readTree(body);
  }

  private static String getText(URI uri) {
    return call(HttpRequest.newBuilder(uri).GET().build());
  }

  private static String call(HttpRequest request) {
    try {
      var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            request.method()
                + " "
                + request.uri()
                + ": "
                + response.statusCode()
                + " "
                + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}

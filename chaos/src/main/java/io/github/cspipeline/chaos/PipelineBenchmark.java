package io.github.cspipeline.chaos;

import io.github.cspipeline.chaos.Events.Event;
import io.github.cspipeline.chaos.Services.Service;
import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The pipeline benchmark's driver (run by {@code benchmarks/pipeline-benchmark.sh}): starts Kafka,
 * the simulator, one transfer-worker and one status-poller (and with {@code --via-gateway} one
 * api-gateway) as separate processes with their rate limits off, sends N commands in one burst or
 * at a rate, waits for N terminal events and reports throughput, latencies, CPU seconds and heap
 * per process, and Cryptshare requests per transfer. Exit code 0: every transfer ended exactly
 * once; 1: a terminal event is missing or duplicated (or belongs to no sent transfer); 2: the run
 * failed.
 */
public final class PipelineBenchmark {

  /** Requests in flight per service with the limits off: far above what 2 cores keep busy. */
  private static final int UNCAPPED_CONCURRENCY = 64;

  private static final String CLIENT_ID =
      "BenchmarkClientId0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";
  private static final String SERVER = "default";
  private static final String SOURCE = "/cryptshare-pipeline/pipeline-benchmark";

  /** When the driver saw each step of one transfer (epoch ms; 0 = not yet). */
  static final class Times {
    final boolean warmup;
    volatile long requested;
    volatile long processing;
    volatile long terminal;

    Times(boolean warmup) {
      this.warmup = warmup;
    }
  }

  private final BenchmarkSettings settings;
  private final Services services = new Services();
  private final Map<String, Times> times = new ConcurrentHashMap<>();
  private final AtomicInteger terminals = new AtomicInteger();
  private final AtomicInteger warmupTerminals = new AtomicInteger();
  private final AtomicLong nthTerminalAt = new AtomicLong();
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private final long started = System.nanoTime();

  private PipelineBenchmark(BenchmarkSettings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    var settings = BenchmarkSettings.parse(args);
    var benchmark = new PipelineBenchmark(settings);
    benchmark.services.runAndExit(
        "pipeline-benchmark", benchmark::run, () -> benchmark.log("stopping every process"));
  }

  private int run() throws Exception {
    Files.createDirectories(settings.runDir());
    var runTag = "b" + Long.toString(System.currentTimeMillis() % 1_679_616L, 36);
    var apiKey = "benchmark-key-" + Long.toHexString(new Random().nextLong());
    define(apiKey);
    var broker = services.ofType("broker").get(0);
    broker.start();
    require(broker.awaitHealthy(Duration.ofSeconds(90)), broker);
    createCommandTopic();
    for (var s : services.all()) {
      if (s != broker) {
        s.start();
      }
    }
    for (var s : services.all()) {
      require(s.awaitHealthy(Duration.ofSeconds(240)), s);
    }
    log("all %d processes are up: %s", services.all().size(), pids());

    var simulator = new Simulator(settings.simulatorPort());
    simulator.configure(settings.processingTime());

    var ids = new ArrayList<String>(settings.transfers());
    for (int i = 0; i < settings.transfers(); i++) {
      var id = runTag + "-" + i;
      ids.add(id);
      times.put(SERVER + "/" + id, new Times(false));
    }
    var events = new Events(settings.kafkaPort());
    var background = Executors.newVirtualThreadPerTaskExecutor();
    background.execute(() -> events.followLive(this::observe));
    // The live reader must be positioned before the first command, else its first poll may lag.
    Thread.sleep(2000);
    warmUp(runTag, apiKey);

    if (settings.jfr()) {
      for (var s : services.all()) {
        ProcessProbe.startRecording(s.pid());
      }
      log("JFR recordings (settings=profile) started");
    }
    simulator.resetStats();
    var load = loadAverage();
    var threadsBefore = threadCpu();
    var cpuBefore = cpu();
    long firstCommand = System.currentTimeMillis();
    log(
        "sending %d commands (%d senders) %s %s",
        settings.transfers(),
        settings.senders(),
        settings.rate() == 0 ? "in one burst" : "at " + settings.rate() + "/s",
        settings.viaGateway() ? "through the gateway" : "onto " + Topics.FINALIZE_COMMANDS);
    send(ids, apiKey);
    log("all commands sent after %.1fs", (System.currentTimeMillis() - firstCommand) / 1e3);

    var deadline = System.nanoTime() + settings.terminalTimeout().toNanos();
    long lastProgress = 0;
    while (terminals.get() < settings.transfers() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      if (System.nanoTime() - lastProgress > 5_000_000_000L) {
        lastProgress = System.nanoTime();
        log(
            "%d/%d terminal, %d PROCESSING seen; load %s",
            terminals.get(), settings.transfers(), processingSeen(), loadAverage());
      }
    }
    boolean complete = terminals.get() >= settings.transfers();
    long end = complete ? nthTerminalAt.get() : System.currentTimeMillis();
    var cpuAfter = cpu();
    var threadsAfter = threadCpu();
    var loadAfter = loadAverage();
    var stats = WireFormat.mapper().readTree(simulator.stats());
    log(
        complete ? "all %d terminal events arrived" : "TIMEOUT: only %d terminal events",
        terminals.get());

    var profiles = new ArrayList<Profile>();
    if (settings.jfr()) {
      for (var s : services.all()) {
        var file = settings.runDir().resolve(s.name + ".jfr");
        ProcessProbe.stopRecording(s.pid(), file);
        profiles.add(Profile.of(s.name, file, 20));
      }
    }
    saveMetrics();
    var heap = new LinkedHashMap<String, Long>();
    for (var s : services.all()) {
      heap.put(s.name, ProcessProbe.heapAfterGc(s.pid()));
    }
    // Late duplicates: give a transaction that was still open a moment to commit.
    Thread.sleep(3000);
    events.stopLive();
    log("auditing (events topic read_committed from the beginning)");
    var audit = BenchmarkAudit.of(times.keySet(), events.readAll());
    background.shutdownNow();
    var census = new ArrayList<TopicCensus.Count>();
    for (var topic :
        List.of(
            Topics.FINALIZE_COMMANDS,
            Topics.TRANSFER_EVENTS,
            // internal topics, named by their modules (defaults)
            "cryptshare.transfer-worker.state",
            "cryptshare.status-poller.watches")) {
      census.add(TopicCensus.of(settings.kafkaPort(), topic));
    }

    var result =
        new BenchmarkResult(
            settings,
            terminals.get(),
            end - firstCommand,
            latencies(t -> t.terminal - t.requested),
            latencies(t -> t.terminal - t.processing),
            cpuBefore,
            cpuAfter,
            heap,
            requestsPerEndpoint(stats),
            audit,
            new TreeMap<>(answerCounts()),
            load,
            loadAfter,
            threadDelta(threadsBefore, threadsAfter),
            census,
            profiles);
    result.print(System.out);
    var summary = settings.runDir().resolve("summary.json");
    Files.writeString(summary, result.json());
    log("summary: %s; run took %ds", summary, (System.nanoTime() - started) / 1_000_000_000L);
    return audit.violations() == 0 && complete ? 0 : 1;
  }

  private void observe(Event event) {
    var t = times.get(event.key());
    if (t == null) {
      return; // counted by the audit
    }
    long now = System.currentTimeMillis();
    if (t.warmup) {
      if (event.terminal() && t.terminal == 0) {
        t.terminal = now;
        warmupTerminals.incrementAndGet();
      }
      return;
    }
    if (event.state().equals("PROCESSING")) {
      if (t.processing == 0) {
        t.processing = now;
      }
    } else if (event.terminal() && t.terminal == 0) {
      t.terminal = now;
      if (terminals.incrementAndGet() == settings.transfers()) {
        nthTerminalAt.set(now);
      }
    }
  }

  private long processingSeen() {
    return times.values().stream().filter(t -> !t.warmup && t.processing != 0).count();
  }

  private void send(List<String> ids, String apiKey) throws InterruptedException {
    if (settings.viaGateway()) {
      sendThroughGateway(ids, apiKey);
    } else {
      produce(ids);
    }
  }

  /** Sends the warm-up transfers and waits for their terminal events (or the terminal timeout). */
  private void warmUp(String runTag, String apiKey) throws InterruptedException {
    if (settings.warmup() == 0) {
      return;
    }
    var ids = new ArrayList<String>(settings.warmup());
    for (int i = 0; i < settings.warmup(); i++) {
      var id = runTag + "w-" + i;
      ids.add(id);
      times.put(SERVER + "/" + id, new Times(true));
    }
    log("warm-up: %d transfers, not measured", settings.warmup());
    send(ids, apiKey);
    var deadline = System.nanoTime() + settings.terminalTimeout().toNanos();
    while (warmupTerminals.get() < settings.warmup() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    log("warm-up over: %d of %d terminal", warmupTerminals.get(), settings.warmup());
    answers.clear();
  }

  private String sender(int i) {
    return "sender-" + (i % settings.senders()) + "@example.com";
  }

  /** Commands as the gateway writes them (value and CloudEvents headers), without credential. */
  private void produce(List<String> ids) throws InterruptedException {
    var config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + settings.kafkaPort());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    var mapper = WireFormat.mapper();
    var failures = new AtomicInteger();
    try (var producer =
        new KafkaProducer<String, byte[]>(
            config, new StringSerializer(), new ByteArraySerializer())) {
      pace(
          ids.size(),
          i -> {
            var command = FinalizeCommand.of(Instant.now(), SERVER, sender(i), ids.get(i), null);
            var record =
                new ProducerRecord<String, byte[]>(
                    Topics.FINALIZE_COMMANDS,
                    command.trackingId(),
                    mapper.writeValueAsBytes(command));
            CloudEvents.addCommandHeaders(record.headers(), command, SOURCE);
            times.get(SERVER + "/" + ids.get(i)).requested = command.requestedAt().toEpochMilli();
            producer.send(
                record,
                (metadata, e) -> {
                  if (e != null && failures.getAndIncrement() == 0) {
                    System.err.println("pipeline-benchmark: a command was not sent: " + e);
                  }
                });
          });
      producer.flush();
    }
    count("produced", ids.size() - failures.get());
    if (failures.get() > 0) {
      count("not produced", failures.get());
    }
  }

  /** Through the REST API, {@code concurrency} requests at once; 429, 503 and no answer retried. */
  private void sendThroughGateway(List<String> ids, String apiKey) throws InterruptedException {
    var http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    var uri = URI.create("http://127.0.0.1:" + settings.gatewayPort() + "/api/v1/finalizations");
    var slots = new Semaphore(settings.concurrency());
    try (var requests = Executors.newVirtualThreadPerTaskExecutor()) {
      pace(
          ids.size(),
          i -> {
            slots.acquire();
            var body =
                WireFormat.mapper()
                    .writeValueAsString(
                        Map.of("server", SERVER, "sender", sender(i), "trackingId", ids.get(i)));
            times.get(SERVER + "/" + ids.get(i)).requested = System.currentTimeMillis();
            requests.execute(
                () -> {
                  try {
                    for (int attempt = 0; attempt < 20; attempt++) {
                      var request =
                          HttpRequest.newBuilder(uri)
                              .timeout(Duration.ofSeconds(20))
                              .header("Authorization", "Bearer " + apiKey)
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofString(body))
                              .build();
                      int status;
                      long retryAfter = 1;
                      try {
                        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        status = response.statusCode();
                        retryAfter = response.headers().firstValueAsLong("Retry-After").orElse(1);
                        count(Integer.toString(status));
                      } catch (IOException e) {
                        status = -1;
                        count("no answer");
                      }
                      if (status != 429 && status != 503 && status != -1) {
                        return;
                      }
                      Thread.sleep(Math.min(retryAfter, 5) * 1000);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    slots.release();
                  }
                });
          });
    }
  }

  @FunctionalInterface
  private interface Send {
    void send(int i) throws Exception;
  }

  /** Calls {@code send} for 0..n-1: at once, or spread evenly at {@code settings.rate()}. */
  private void pace(int n, Send send) throws InterruptedException {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (settings.rate() > 0) {
        long due = start + i * 1_000_000_000L / settings.rate();
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
          Thread.sleep(wait / 1_000_000);
        }
      }
      try {
        send.send(i);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("Sending command " + i, e);
      }
    }
  }

  private void count(String answer) {
    count(answer, 1);
  }

  private void count(String answer, long n) {
    answers.computeIfAbsent(answer, a -> new AtomicLong()).addAndGet(n);
  }

  private Map<String, Long> answerCounts() {
    var counts = new LinkedHashMap<String, Long>();
    answers.forEach((k, v) -> counts.put(k, v.get()));
    return counts;
  }

  private BenchmarkResult.Latency latencies(java.util.function.ToLongFunction<Times> span) {
    var values =
        times.values().stream()
            .filter(t -> !t.warmup && t.terminal != 0 && t.processing != 0 && t.requested != 0)
            .mapToLong(span)
            .sorted()
            .toArray();
    return BenchmarkResult.Latency.of(values);
  }

  private Map<String, Double> cpu() throws IOException {
    var cpu = new LinkedHashMap<String, Double>();
    for (var s : services.all()) {
      cpu.put(s.name, ProcessProbe.cpuSeconds(s.pid()));
    }
    cpu.put("driver", ProcessProbe.cpuSeconds(ProcessHandle.current().pid()));
    return cpu;
  }

  /**
   * Keeps each service's Prometheus page of the end of the run in the run directory: its counters
   * (transactions, polls, Kafka client metrics) explain the figures.
   */
  private void saveMetrics() {
    var ports = new LinkedHashMap<String, Integer>();
    ports.put("worker", settings.workerPort());
    ports.put("poller", settings.pollerPort());
    if (settings.viaGateway()) {
      ports.put("gateway", settings.gatewayPort() + 1);
    }
    var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    ports.forEach(
        (name, port) -> {
          try {
            var response =
                http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            Files.writeString(settings.runDir().resolve(name + "-metrics.txt"), response.body());
          } catch (IOException e) {
            log("could not read the metrics of %s: %s", name, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  private Map<String, Map<String, Double>> threadCpu() {
    var threads = new LinkedHashMap<String, Map<String, Double>>();
    for (var s : services.all()) {
      threads.put(s.name, ProcessProbe.cpuSecondsByThread(s.pid()));
    }
    return threads;
  }

  /** CPU seconds of each thread group within the window, the busiest first. */
  private static Map<String, Map<String, Double>> threadDelta(
      Map<String, Map<String, Double>> before, Map<String, Map<String, Double>> after) {
    var delta = new LinkedHashMap<String, Map<String, Double>>();
    after.forEach(
        (process, threads) -> {
          var used = new LinkedHashMap<String, Double>();
          threads.entrySet().stream()
              .map(
                  e ->
                      Map.entry(
                          e.getKey(),
                          e.getValue()
                              - before
                                  .getOrDefault(process, Map.of())
                                  .getOrDefault(e.getKey(), 0.0)))
              .filter(e -> e.getValue() >= 0.005)
              .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
              .forEach(e -> used.put(e.getKey(), e.getValue()));
          delta.put(process, used);
        });
    return delta;
  }

  private Map<String, Long> pids() {
    var pids = new LinkedHashMap<String, Long>();
    services.all().forEach(s -> pids.put(s.name, s.pid()));
    return pids;
  }

  private static Map<String, Long> requestsPerEndpoint(JsonNode stats) {
    var requests = new TreeMap<String, Long>();
    for (var entry : stats.path("endpoints").properties()) {
      long n = entry.getValue().path("requests").asLong();
      if (n > 0) {
        requests.put(entry.getKey(), n);
      }
    }
    requests.put("total", stats.path("total").path("requests").asLong());
    return requests;
  }

  private static String loadAverage() {
    try {
      var fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private void createCommandTopic() throws InterruptedException, ExecutionException {
    var config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + settings.kafkaPort());
    try (var admin = Admin.create(config)) {
      admin
          .createTopics(
              List.of(new NewTopic(Topics.FINALIZE_COMMANDS, settings.partitions(), (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Creating " + Topics.FINALIZE_COMMANDS + " took too long", e);
    }
  }

  private void define(String apiKey) throws Exception {
    var dir = settings.runDir();
    var kafka = "127.0.0.1:" + settings.kafkaPort();
    var simulatorUrl = "http://127.0.0.1:" + settings.simulatorPort();
    services.add(
        new Service(
            "broker",
            "broker",
            ChaosSuite.command(
                settings.brokerJavaOpts(),
                jar("local-kafka"),
                List.of(
                    Integer.toString(settings.kafkaPort()), dir.resolve("kafka-data").toString())),
            dir.resolve("broker.log"),
            null,
            settings.kafkaPort()));
    services.add(
        new Service(
            "simulator",
            "simulator",
            ChaosSuite.command(
                settings.javaOpts(),
                jar("cryptshare-simulator"),
                List.of(
                    "--server.address=127.0.0.1",
                    "--server.port=" + settings.simulatorPort(),
                    "--simulator.auto-sessions=true",
                    "--simulator.processing-time=" + settings.processingTime())),
            dir.resolve("simulator.log"),
            ChaosSuite.health(settings.simulatorPort(), "/actuator/health"),
            settings.simulatorPort()));
    var servers =
        List.of(
            "--spring.kafka.bootstrap-servers=" + kafka,
            "--cryptshare.servers.default.base-url=" + simulatorUrl,
            "--cryptshare.servers.default.client-id=" + CLIENT_ID);
    if (settings.viaGateway()) {
      var args = new ArrayList<>(servers);
      args.addAll(
          List.of(
              "--server.address=127.0.0.1",
              "--server.port=" + settings.gatewayPort(),
              "--management.server.address=127.0.0.1",
              "--management.server.port=" + (settings.gatewayPort() + 1),
              "--cryptshare.gateway.api-keys[0].name=benchmark",
              "--cryptshare.gateway.api-keys[0].sha256=" + sha256(apiKey),
              "--cryptshare.gateway.api-keys[0].requests-per-second=1000000",
              "--cryptshare.gateway.topics.partitions=" + settings.partitions(),
              "--cryptshare.gateway.view.state-dir=" + dir.resolve("gateway-view")));
      services.add(
          new Service(
              "gateway",
              "gateway",
              ChaosSuite.command(settings.javaOpts(), jar("api-gateway"), args),
              dir.resolve("gateway.log"),
              ChaosSuite.health(settings.gatewayPort() + 1, "/actuator/health/readiness"),
              settings.gatewayPort()));
    }
    var worker = new ArrayList<>(servers);
    worker.addAll(
        List.of(
            "--management.server.address=127.0.0.1",
            "--management.server.port=" + settings.workerPort()));
    if (!settings.defaultLimits()) {
      // Limits off: the benchmark measures what a transfer costs, not the limits. The concurrency
      // caps are limits too: 10 finalize calls or 8 polls in flight would cap the run at their
      // round trip times (the poller's 8 did, at about 340 transfers/s).
      worker.add("--cryptshare.worker.servers.default.rate-limit=0");
      worker.add(
          "--cryptshare.worker.servers.default.max-concurrent-calls=" + UNCAPPED_CONCURRENCY);
    }
    worker.addAll(settings.extraWorkerArgs());
    services.add(
        new Service(
            "worker",
            "worker",
            ChaosSuite.command(settings.javaOpts(), jar("transfer-worker"), worker),
            dir.resolve("worker.log"),
            ChaosSuite.health(settings.workerPort(), "/actuator/health"),
            settings.workerPort()));
    var poller = new ArrayList<>(servers);
    poller.addAll(
        List.of(
            "--management.server.address=127.0.0.1",
            "--management.server.port=" + settings.pollerPort()));
    if (!settings.defaultLimits()) {
      poller.add("--cryptshare.poller.max-requests-per-second=100000");
      poller.add("--cryptshare.poller.max-concurrent-polls-per-server=" + UNCAPPED_CONCURRENCY);
    }
    poller.addAll(settings.extraPollerArgs());
    services.add(
        new Service(
            "poller",
            "poller",
            ChaosSuite.command(settings.javaOpts(), jar("status-poller"), poller),
            dir.resolve("poller.log"),
            ChaosSuite.health(settings.pollerPort(), "/actuator/health"),
            settings.pollerPort()));
  }

  private String jar(String module) {
    return settings.root().resolve(module).resolve("target").resolve(module + ".jar").toString();
  }

  private static void require(boolean ok, Service service) {
    if (!ok) {
      throw new IllegalStateException(service + " did not come up; see its log");
    }
  }

  private void log(String format, @Nullable Object... args) {
    System.out.printf(
        "[benchmark %6.1fs] %s%n",
        (System.nanoTime() - started) / 1e9, String.format(format, args));
  }

  private static String sha256(String value) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }
}

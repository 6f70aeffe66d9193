package io.github.cspipeline.chaos;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

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

  private final BenchmarkSettings settings;
  private final Services services = new Services();
  private final RunLog log = new RunLog("[benchmark %6.1fs] ");
  private final ServiceProbes probes = new ServiceProbes(services, log);
  private final TransferTimes times;

  private PipelineBenchmark(BenchmarkSettings settings) {
    this.settings = settings;
    this.times = new TransferTimes(SERVER, settings.transfers());
  }

  public static void main(String[] args) throws Exception {
    var settings = BenchmarkSettings.parse(args);
    var benchmark = new PipelineBenchmark(settings);
    benchmark.services.runAndExit(
        "pipeline-benchmark", benchmark::run, () -> benchmark.log.log("stopping every process"));
  }

  private int run() throws Exception {
    Files.createDirectories(settings.runDir());
    var runTag = "b" + Long.toString(System.currentTimeMillis() % 1_679_616L, 36);
    var apiKey = "benchmark-key-" + Long.toHexString(new Random().nextLong());
    define(apiKey);
    services.startAll(this::createCommandTopic);
    log.log("all %d processes are up: %s", services.all().size(), services.pids());

    var simulator = new Simulator(settings.simulatorPort());
    simulator.configure(settings.processingTime());

    var ids = trackingIds(runTag + "-", settings.transfers());
    times.add(ids, false);
    var events = new Events(settings.kafkaPort());
    var background = Executors.newVirtualThreadPerTaskExecutor();
    background.execute(() -> events.followLive(times::observe));
    // The live reader must be positioned before the first command, else its first poll may lag.
    Thread.sleep(2000);
    var sender = new CommandSender(settings, SERVER, apiKey, times);
    warmUp(runTag, sender);

    if (settings.jfr()) {
      for (var s : services.all()) {
        ProcessProbe.startRecording(s.pid());
      }
      log.log("JFR recordings (settings=profile) started");
    }
    simulator.resetStats();
    var load = ServiceProbes.loadAverage();
    var threadsBefore = probes.threadCpu();
    var cpuBefore = probes.cpu();
    long firstCommand = System.currentTimeMillis();
    log.log(
        "sending %d commands (%d senders) %s %s",
        settings.transfers(),
        settings.senders(),
        settings.rate() == 0 ? "in one burst" : "at " + settings.rate() + "/s",
        settings.viaGateway() ? "through the gateway" : "onto " + Topics.FINALIZE_COMMANDS);
    sender.send(ids);
    log.log("all commands sent after %.1fs", (System.currentTimeMillis() - firstCommand) / 1e3);

    boolean complete =
        RunLog.await(
            () -> times.terminals() >= settings.transfers(),
            settings.terminalTimeout(),
            Duration.ofMillis(50),
            Duration.ofSeconds(5),
            () ->
                log.log(
                    "%d/%d terminal, %d PROCESSING seen; load %s",
                    times.terminals(),
                    settings.transfers(),
                    times.processingSeen(),
                    ServiceProbes.loadAverage()));
    long end = complete ? times.nthTerminalAt() : System.currentTimeMillis();
    var cpuAfter = probes.cpu();
    var threadsAfter = probes.threadCpu();
    var loadAfter = ServiceProbes.loadAverage();
    var stats = WireFormat.mapper().readTree(simulator.stats());
    log.log(
        complete ? "all %d terminal events arrived" : "TIMEOUT: only %d terminal events",
        times.terminals());

    var profiles = new ArrayList<Profile>();
    if (settings.jfr()) {
      for (var s : services.all()) {
        var file = settings.runDir().resolve(s.name + ".jfr");
        ProcessProbe.stopRecording(s.pid(), file);
        profiles.add(Profile.of(s.name, file, 20));
      }
    }
    probes.saveMetrics(metricsPorts(), settings.runDir());
    var heap = probes.heapAfterGc();
    // Late duplicates: give a transaction that was still open a moment to commit.
    Thread.sleep(3000);
    events.stopLive();
    log.log("auditing (events topic read_committed from the beginning)");
    var audit = BenchmarkAudit.of(times.keys(), events.readAll());
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
            times.terminals(),
            end - firstCommand,
            times.latencies(t -> t.terminal - t.requested),
            times.latencies(t -> t.terminal - t.processing),
            cpuBefore,
            cpuAfter,
            heap,
            ServiceProbes.requestsPerEndpoint(stats),
            audit,
            new TreeMap<>(sender.answerCounts()),
            load,
            loadAfter,
            ServiceProbes.threadDelta(threadsBefore, threadsAfter),
            census,
            profiles);
    result.print(System.out);
    var summary = settings.runDir().resolve("summary.json");
    Files.writeString(summary, result.json());
    log.log("summary: %s; run took %ds", summary, log.seconds());
    return audit.violations() == 0 && complete ? 0 : 1;
  }

  private static List<String> trackingIds(String prefix, int n) {
    var ids = new ArrayList<String>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }

  /** Sends the warm-up transfers and waits for their terminal events (or the terminal timeout). */
  private void warmUp(String runTag, CommandSender sender) throws InterruptedException {
    if (settings.warmup() == 0) {
      return;
    }
    var ids = trackingIds(runTag + "w-", settings.warmup());
    times.add(ids, true);
    log.log("warm-up: %d transfers, not measured", settings.warmup());
    sender.send(ids);
    RunLog.await(
        () -> times.warmupTerminals() >= settings.warmup(),
        settings.terminalTimeout(),
        Duration.ofMillis(100),
        settings.terminalTimeout(),
        () -> {});
    log.log("warm-up over: %d of %d terminal", times.warmupTerminals(), settings.warmup());
    sender.clearAnswers();
  }

  /** Each service's Actuator port, by the name its Prometheus page is kept under. */
  private LinkedHashMap<String, Integer> metricsPorts() {
    var ports = new LinkedHashMap<String, Integer>();
    ports.put("worker", settings.workerPort());
    ports.put("poller", settings.pollerPort());
    if (settings.viaGateway()) {
      ports.put("gateway", settings.gatewayPort() + 1);
    }
    return ports;
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
    } catch (TimeoutException e) {
      throw new IllegalStateException("Creating " + Topics.FINALIZE_COMMANDS + " took too long", e);
    }
  }

  private void define(String apiKey) {
    var launch = new Launch(settings.root(), settings.runDir(), services);
    launch.broker("broker", settings.brokerJavaOpts(), settings.kafkaPort());
    launch.simulator(settings.javaOpts(), settings.simulatorPort(), settings.processingTime());
    var common = Launch.common(settings.kafkaPort(), settings.simulatorPort(), CLIENT_ID);
    if (settings.viaGateway()) {
      launch.gateway(
          settings.javaOpts(),
          common,
          settings.gatewayPort(),
          "benchmark",
          apiKey,
          1_000_000,
          List.of("--cryptshare.gateway.topics.partitions=" + settings.partitions()));
    }
    var worker = new ArrayList<String>();
    var poller = new ArrayList<String>();
    if (!settings.defaultLimits()) {
      // Limits off: the benchmark measures what a transfer costs, not the limits. The concurrency
      // caps are limits too: 10 finalize calls or 8 polls in flight would cap the run at their
      // round trip times (the poller's 8 did, at about 340 transfers/s).
      worker.add("--cryptshare.worker.servers.default.rate-limit=0");
      worker.add(
          "--cryptshare.worker.servers.default.max-concurrent-calls=" + UNCAPPED_CONCURRENCY);
      poller.add("--cryptshare.poller.max-requests-per-second=100000");
      poller.add("--cryptshare.poller.max-concurrent-polls-per-server=" + UNCAPPED_CONCURRENCY);
    }
    worker.addAll(settings.extraWorkerArgs());
    poller.addAll(settings.extraPollerArgs());
    launch.managed(
        "worker",
        "worker",
        "transfer-worker",
        settings.javaOpts(),
        common,
        settings.workerPort(),
        worker);
    launch.managed(
        "poller",
        "poller",
        "status-poller",
        settings.javaOpts(),
        common,
        settings.pollerPort(),
        poller);
  }
}

package io.github.cspipeline.chaos;

import io.github.cspipeline.chaos.Services.Service;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The chaos suite's driver (run by {@code benchmarks/chaos.sh}): starts Kafka, the simulator, one
 * gateway, two workers and two pollers as separate processes, submits the transfers, injects
 * Cryptshare faults and kills a process every few seconds while the load runs, then waits for every
 * accepted transfer's terminal event and audits the guarantee. Exit code 0: no violation; 1:
 * violations; 2: the run itself failed.
 */
public final class ChaosSuite {

  static final List<String> RAISED_WORKER_LIMITS =
      List.of(
          "--cryptshare.worker.servers.default.rate-limit=100",
          "--cryptshare.worker.servers[" + Load.SECOND_SERVER + "].rate-limit=100");

  private static final String CLIENT_ID =
      "ChaosClientId0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";

  private final Settings settings;
  private final Services services = new Services();
  private final Map<String, Integer> kills = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> lastRecovery = new AtomicReference<>(Instant.EPOCH);
  private final long started = System.nanoTime();

  private ChaosSuite(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    var settings = Settings.parse(args);
    var suite = new ChaosSuite(settings);
    suite.services.runAndExit("chaos", suite::run, () -> suite.log("stopping every process"));
  }

  private int run() throws Exception {
    Files.createDirectories(settings.runDir());
    var runTag = "c" + Long.toString(System.currentTimeMillis() % 46_656L, 36) + settings.seed();
    var apiKey = "chaos-key-" + Long.toHexString(new Random().nextLong());
    log(
        "run dir %s; %d transfers at %d/s (%ds of load), a kill every %ds of %s, seed %d",
        settings.runDir(),
        settings.transfers(),
        settings.rate(),
        settings.loadDuration().toSeconds(),
        settings.killEvery().toSeconds(),
        settings.kills(),
        settings.seed());
    define(sha256(apiKey));
    var broker = services.ofType("broker").get(0);
    broker.start();
    require(broker.awaitHealthy(Duration.ofSeconds(90)), broker);
    for (var s : services.all()) {
      if (s != broker) {
        s.start();
      }
    }
    for (var s : services.all()) {
      require(s.awaitHealthy(Duration.ofSeconds(240)), s);
    }
    log("all %d processes are up", services.all().size());

    var simulator = new Simulator(settings.simulatorPort());
    simulator.configure(settings.processingTime());
    for (var sender : Load.UNVERIFIED_SENDERS) {
      simulator.unverify(sender);
    }
    var events = new Events(settings.kafkaPort());
    var background = Executors.newVirtualThreadPerTaskExecutor();
    background.execute(events::followLive);

    var load = new Load(settings, apiKey, runTag, simulator);
    var loadStart = Instant.now();
    var loadEnd = loadStart.plus(settings.loadDuration());
    var faultsOff = background.submit(() -> faults(simulator, loadStart, loadEnd));
    var killer = background.submit(() -> killEvery(loadStart, loadEnd));
    load.run(loadEnd.plus(Duration.ofMinutes(3)));
    log(
        "load sent: %d transfers, %d repeats; answers %s",
        load.transfers.size(), load.repeatsSent.get(), load.answerCounts());
    killer.get();
    var faultsEnded = faultsOff.get();
    var lastFaultEnd = faultsEnded.isAfter(lastRecovery.get()) ? faultsEnded : lastRecovery.get();
    for (var s : services.all()) {
      require(s.awaitHealthy(Duration.ofSeconds(120)), s);
    }

    var accepted = load.transfers.stream().filter(t -> t.acceptedAt != null).toList();
    log(
        "waiting up to %ds for %d accepted transfers to end",
        settings.terminalTimeout().toSeconds(), accepted.size());
    var deadline = Instant.now().plus(settings.terminalTimeout());
    long open;
    while ((open =
                accepted.stream().filter(t -> !events.firstTerminal.containsKey(t.key())).count())
            > 0
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(1000);
      if ((System.nanoTime() - started) / 1_000_000_000L % 10 == 0) {
        log("%d accepted transfers without a terminal event yet", open);
      }
    }
    events.stopLive();
    log("auditing (events topic read_committed from the beginning, the simulator's records)");
    var all = events.readAll();
    var records = simulatorRecords(simulator, accepted);
    var audit = Audit.of(load.transfers, all, records, lastFaultEnd);
    String stats = null;
    try {
      stats = simulator.stats();
    } catch (IOException e) {
      // only informative
    }
    audit.print(
        System.out, load.answerCounts(), load.repeatsSent.get(), new LinkedHashMap<>(kills), stats);
    log(
        "run took %ds; logs in %s",
        (System.nanoTime() - started) / 1_000_000_000L, settings.runDir());
    background.shutdownNow();
    load.close();
    return audit.violationCount() == 0 ? 0 : 1;
  }

  /**
   * The fault schedule, in fractions of the load's duration L: 10 % 503 and 5 % lost answers
   * throughout; 429 bursts (rate limit 15/s, Retry-After 2 s) from 0.15 L and from 0.75 L, each for
   * max(3 s, 0.08 L); one outage of {@code settings.outage()} from 0.40 L; all off at L (or when
   * the outage ends, if later).
   *
   * @return when the faults were switched off
   */
  private Instant faults(Simulator simulator, Instant start, Instant end) throws Exception {
    long loadMs = Duration.between(start, end).toMillis();
    var burst = Duration.ofMillis(Math.max(3000, loadMs * 8 / 100));
    var outageStart = start.plusMillis(loadMs * 40 / 100);
    var outageEnd = outageStart.plus(settings.outage());
    var steps = new ArrayList<Map.Entry<Instant, Map<String, Object>>>();
    steps.add(
        Map.entry(start, Map.of("errorRate", 0.10, "errorStatus", 503, "lostResponseRate", 0.05)));
    for (var at :
        List.of(start.plusMillis(loadMs * 15 / 100), start.plusMillis(loadMs * 75 / 100))) {
      steps.add(Map.entry(at, Map.of("rateLimitPerSecond", 15, "retryAfterSeconds", 2)));
      steps.add(Map.entry(at.plus(burst), Map.of("rateLimitPerSecond", 0)));
    }
    steps.add(Map.entry(outageStart, Map.of("outage", true)));
    steps.add(Map.entry(outageEnd, Map.of("outage", false)));
    steps.sort(Map.Entry.comparingByKey());
    for (var step : steps) {
      sleepUntil(step.getKey());
      simulator.faults(step.getValue());
      log("faults: %s", step.getValue());
    }
    sleepUntil(end.isAfter(outageEnd) ? end : outageEnd);
    simulator.noFaults();
    log("faults: all off");
    return Instant.now();
  }

  /**
   * Every killEvery, the next type of {@code settings.kills()}; the instance drawn with the seed.
   */
  private Void killEvery(Instant start, Instant end) throws Exception {
    var random = new Random(settings.seed() * 31 + 7);
    var restarts = Executors.newVirtualThreadPerTaskExecutor();
    var oneAtATime = new Semaphore(1);
    int round = 0;
    for (var at = start.plus(settings.killEvery());
        at.isBefore(end);
        at = at.plus(settings.killEvery())) {
      sleepUntil(at);
      var type = settings.kills().get(round++ % settings.kills().size());
      var candidates = services.ofType(type);
      var victim = candidates.get(random.nextInt(candidates.size()));
      oneAtATime.acquire();
      log("kill -9 %s", victim);
      victim.kill();
      kills.merge(type, 1, Integer::sum);
      restarts.execute(
          () -> {
            try {
              Thread.sleep(settings.restartDelay().toMillis());
              victim.start();
              log("restarted %s", victim);
              if (victim.awaitHealthy(Duration.ofSeconds(180))) {
                lastRecovery.set(Instant.now());
                log("%s is up again", victim);
              } else {
                log("%s did NOT come up again; see its log", victim);
              }
            } catch (IOException e) {
              log("restarting %s failed: %s", victim, e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              oneAtATime.release();
            }
          });
    }
    // The last restart must be over before the suite waits for the transfers.
    oneAtATime.acquire();
    restarts.shutdown();
    return null;
  }

  private void define(String apiKeyHash) {
    java.util.function.Function<String, String> jar =
        module ->
            settings.root().resolve(module).resolve("target").resolve(module + ".jar").toString();
    var dir = settings.runDir();
    var kafka = "127.0.0.1:" + settings.kafkaPort();
    var simulatorUrl = "http://127.0.0.1:" + settings.simulatorPort();
    var opts = List.of(settings.javaOpts().trim().split("\\s+"));
    services.add(
        new Service(
            "kafka",
            "broker",
            command(
                List.of("-Xmx512m", "-XX:+UseSerialGC"),
                jar.apply("local-kafka"),
                List.of(
                    Integer.toString(settings.kafkaPort()), dir.resolve("kafka-data").toString())),
            dir.resolve("kafka.log"),
            null,
            settings.kafkaPort()));
    services.add(
        new Service(
            "simulator",
            "simulator",
            command(
                opts,
                jar.apply("cryptshare-simulator"),
                List.of(
                    "--server.address=127.0.0.1",
                    "--server.port=" + settings.simulatorPort(),
                    "--simulator.auto-sessions=true",
                    "--simulator.processing-time=" + settings.processingTime(),
                    "--simulator.random-seed=" + settings.seed())),
            dir.resolve("simulator.log"),
            health(settings.simulatorPort(), "/actuator/health"),
            settings.simulatorPort()));
    var servers =
        List.of(
            "--spring.kafka.bootstrap-servers=" + kafka,
            "--cryptshare.servers.default.base-url=" + simulatorUrl,
            "--cryptshare.servers.default.client-id=" + CLIENT_ID,
            "--cryptshare.servers[" + Load.SECOND_SERVER + "].base-url=" + simulatorUrl,
            "--cryptshare.servers[" + Load.SECOND_SERVER + "].client-id=" + CLIENT_ID);
    var gatewayArgs = new ArrayList<>(servers);
    gatewayArgs.addAll(
        List.of(
            "--server.address=127.0.0.1",
            "--server.port=" + settings.gatewayPort(),
            // Actuator has its own port (ADR 026): the API port plus one.
            "--management.server.address=127.0.0.1",
            "--management.server.port=" + (settings.gatewayPort() + 1),
            "--cryptshare.gateway.api-keys[0].name=chaos",
            "--cryptshare.gateway.api-keys[0].sha256=" + apiKeyHash,
            "--cryptshare.gateway.api-keys[0].requests-per-second=10000",
            "--cryptshare.gateway.view.state-dir=" + dir.resolve("gateway-view")));
    services.add(
        new Service(
            "gateway",
            "gateway",
            command(opts, jar.apply("api-gateway"), gatewayArgs),
            dir.resolve("gateway.log"),
            health(settings.gatewayPort() + 1, "/actuator/health/readiness"),
            settings.gatewayPort()));
    for (int i = 0; i < settings.workerPorts().size(); i++) {
      int port = settings.workerPorts().get(i);
      var args = new ArrayList<>(servers);
      // Worker and poller serve HTTP on their management port only (ADR 026).
      args.addAll(
          List.of("--management.server.address=127.0.0.1", "--management.server.port=" + port));
      // Capacity above the offered load, so that what the audit's recovery bound measures is
      // recovery, not a queue of the default 20 requests/s per instance (capacity: README).
      args.addAll(RAISED_WORKER_LIMITS);
      services.add(
          new Service(
              "worker-" + (i + 1),
              "worker",
              command(opts, jar.apply("transfer-worker"), args),
              dir.resolve("worker-" + (i + 1) + ".log"),
              health(port, "/actuator/health"),
              port));
    }
    for (int i = 0; i < settings.pollerPorts().size(); i++) {
      int port = settings.pollerPorts().get(i);
      var args = new ArrayList<>(servers);
      // One group and one transactional-id prefix for both: they are one deployment, and the
      // prefix is what lets a new owner of a partition fence the previous one.
      // Worker and poller serve HTTP on their management port only (ADR 026).
      args.addAll(
          List.of("--management.server.address=127.0.0.1", "--management.server.port=" + port));
      args.add("--cryptshare.poller.max-requests-per-second=200");
      services.add(
          new Service(
              "poller-" + (i + 1),
              "poller",
              command(opts, jar.apply("status-poller"), args),
              dir.resolve("poller-" + (i + 1) + ".log"),
              health(port, "/actuator/health"),
              port));
    }
  }

  static List<String> command(List<String> jvmOptions, String jar, List<String> args) {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar);
    command.addAll(args);
    return command;
  }

  static URI health(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Map<String, Simulator.Record> simulatorRecords(
      Simulator simulator, List<Load.Transfer> accepted) throws Exception {
    var bulk = simulator.allTransfers();
    if (bulk != null) {
      return bulk;
    }
    log("the simulator has no bulk GET /simulator/transfers; asking per transfer");
    var records = new ConcurrentHashMap<String, Simulator.Record>();
    var limit = new Semaphore(16);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var t : accepted) {
        limit.acquire();
        pool.execute(
            () -> {
              try {
                var r = simulator.transfer(t.trackingId);
                if (r.state() != null || r.finalizeCalls() > 0) {
                  records.put(t.trackingId, r);
                }
              } catch (IOException e) {
                log("simulator record of %s: %s", t.trackingId, e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                limit.release();
              }
            });
      }
    }
    return records;
  }

  private static void require(boolean ok, Service service) {
    if (!ok) {
      throw new IllegalStateException(service + " did not come up; see its log");
    }
  }

  private static void sleepUntil(Instant at) throws InterruptedException {
    long ms = Duration.between(Instant.now(), at).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  private void log(String format, @Nullable Object... args) {
    System.out.printf(
        "[chaos %5.1fs] %s%n", (System.nanoTime() - started) / 1e9, String.format(format, args));
  }

  private static String sha256(String value) throws NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }
}

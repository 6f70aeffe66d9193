package io.github.cspipeline.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;

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
  private final RunLog log = new RunLog("[chaos %5.1fs] ");

  private ChaosSuite(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    var settings = Settings.parse(args);
    var suite = new ChaosSuite(settings);
    suite.services.runAndExit("chaos", suite::run, () -> suite.log.log("stopping every process"));
  }

  private int run() throws Exception {
    Files.createDirectories(settings.runDir());
    var runTag = "c" + Long.toString(System.currentTimeMillis() % 46_656L, 36) + settings.seed();
    var apiKey = "chaos-key-" + Long.toHexString(new Random().nextLong());
    log.log(
        "run dir %s; %d transfers at %d/s (%ds of load), a kill every %ds of %s, seed %d",
        settings.runDir(),
        settings.transfers(),
        settings.rate(),
        settings.loadDuration().toSeconds(),
        settings.killEvery().toSeconds(),
        settings.kills(),
        settings.seed());
    define(apiKey);
    services.startAll(() -> {});
    log.log("all %d processes are up", services.all().size());

    var simulator = new Simulator(settings.simulatorPort());
    simulator.configure(settings.processingTime());
    for (var sender : Load.UNVERIFIED_SENDERS) {
      simulator.unverify(sender);
    }
    var events = new Events(settings.kafkaPort());
    var background = Executors.newVirtualThreadPerTaskExecutor();
    background.execute(events::followLive);

    var load = new Load(settings, apiKey, runTag, simulator);
    var killer = new Killer(settings, services, log);
    var loadStart = Instant.now();
    var loadEnd = loadStart.plus(settings.loadDuration());
    var faultsOff =
        background.submit(
            () -> new FaultSchedule(simulator, settings.outage(), log).run(loadStart, loadEnd));
    var kills = background.submit(() -> killer.run(loadStart, loadEnd));
    load.run(loadEnd.plus(Duration.ofMinutes(3)));
    log.log(
        "load sent: %d transfers, %d repeats; answers %s",
        load.transfers.size(), load.repeatsSent.get(), load.answerCounts());
    kills.get();
    var faultsEnded = faultsOff.get();
    var lastFaultEnd =
        faultsEnded.isAfter(killer.lastRecovery()) ? faultsEnded : killer.lastRecovery();
    services.awaitAllHealthy(Duration.ofSeconds(120));

    var accepted = load.transfers.stream().filter(t -> t.acceptedAt != null).toList();
    log.log(
        "waiting up to %ds for %d accepted transfers to end",
        settings.terminalTimeout().toSeconds(), accepted.size());
    RunLog.await(
        () -> open(accepted, events) == 0,
        settings.terminalTimeout(),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        () ->
            log.log("%d accepted transfers without a terminal event yet", open(accepted, events)));
    events.stopLive();
    log.log("auditing (events topic read_committed from the beginning, the simulator's records)");
    var all = events.readAll();
    var records = simulator.records(accepted.stream().map(t -> t.trackingId).toList(), log);
    var audit = Audit.of(load.transfers, all, records, lastFaultEnd);
    String stats = null;
    try {
      stats = simulator.stats();
    } catch (IOException e) {
      // only informative
    }
    audit.print(System.out, load.answerCounts(), load.repeatsSent.get(), killer.kills(), stats);
    log.log("run took %ds; logs in %s", log.seconds(), settings.runDir());
    background.shutdownNow();
    load.close();
    return audit.violationCount() == 0 ? 0 : 1;
  }

  private static long open(List<Load.Transfer> accepted, Events events) {
    return accepted.stream().filter(t -> !events.firstTerminal.containsKey(t.key())).count();
  }

  private void define(String apiKey) {
    var launch = new Launch(settings.root(), settings.runDir(), services);
    var opts = List.of(settings.javaOpts().trim().split("\\s+"));
    launch.broker("kafka", List.of("-Xmx512m", "-XX:+UseSerialGC"), settings.kafkaPort());
    launch.simulator(
        opts,
        settings.simulatorPort(),
        settings.processingTime(),
        "--simulator.random-seed=" + settings.seed());
    var common =
        Launch.common(
            settings.kafkaPort(), settings.simulatorPort(), CLIENT_ID, Load.SECOND_SERVER);
    launch.gateway(opts, common, settings.gatewayPort(), "chaos", apiKey, 10000, List.of());
    // Capacity above the offered load, so that what the audit's recovery bound measures is
    // recovery, not a queue of the default 20 requests/s per instance (capacity: README).
    launch.instances(
        "worker", "transfer-worker", opts, common, settings.workerPorts(), RAISED_WORKER_LIMITS);
    // One group and one transactional-id prefix for both: they are one deployment, and the
    // prefix is what lets a new owner of a partition fence the previous one.
    launch.instances(
        "poller",
        "status-poller",
        opts,
        common,
        settings.pollerPorts(),
        List.of("--cryptshare.poller.max-requests-per-second=200"));
  }
}

package io.github.cspipeline.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one chaos run does. Every value has a default; {@code --short} changes the defaults to the
 * CI variant (about three minutes on two cores). Arguments are {@code --key=value}.
 *
 * @param transfers distinct transfers submitted (repeats come on top)
 * @param rate new transfers per second
 * @param seed seed of the mix, the repeats and the choice of the instance to kill
 * @param killEvery pause between two kills
 * @param kills the process types killed in turn: {@code worker}, {@code poller}, {@code gateway},
 *     {@code broker}
 * @param terminalTimeout how long, after the load and the last fault, accepted transfers may take
 *     to reach their terminal event before they count as lost
 */
record Settings(
    int transfers,
    int rate,
    long seed,
    Duration killEvery,
    List<String> kills,
    Duration restartDelay,
    Duration processingTime,
    Duration terminalTimeout,
    Duration outage,
    int kafkaPort,
    int simulatorPort,
    int gatewayPort,
    List<Integer> workerPorts,
    List<Integer> pollerPorts,
    Path root,
    Path runDir,
    String javaOpts) {

  static Settings parse(String[] args) {
    var values = new HashMap<String, String>();
    boolean shortRun = false;
    for (var arg : args) {
      if (arg.equals("--short")) {
        shortRun = true;
      } else if (arg.startsWith("--") && arg.contains("=")) {
        values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException("Unknown argument " + arg);
      }
    }
    var d = new Defaults(shortRun, values);
    return new Settings(
        d.integer("transfers", shortRun ? 500 : 10_000),
        d.integer("rate", shortRun ? 15 : 30),
        Long.parseLong(values.getOrDefault("seed", "1")),
        Duration.ofSeconds(d.integer("kill-every", shortRun ? 10 : 20)),
        List.of(
            values
                .getOrDefault(
                    "kills", shortRun ? "worker,broker,poller" : "worker,poller,gateway,broker")
                .split(",")),
        Duration.ofSeconds(d.integer("restart-delay", 2)),
        Duration.parse(values.getOrDefault("processing-time", "PT1S")),
        Duration.ofSeconds(d.integer("terminal-timeout", shortRun ? 100 : 300)),
        Duration.ofSeconds(d.integer("outage", 20)),
        d.integer("kafka-port", 19392),
        d.integer("simulator-port", 18390),
        d.integer("gateway-port", 18380),
        List.of(d.integer("worker1-port", 18382), d.integer("worker2-port", 18482)),
        List.of(d.integer("poller1-port", 18383), d.integer("poller2-port", 18483)),
        Path.of(values.getOrDefault("root", ".")).toAbsolutePath().normalize(),
        Path.of(values.getOrDefault("run-dir", "chaos-run")).toAbsolutePath(),
        values.getOrDefault(
            "java-opts", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto"));
  }

  /** How long the load runs: {@code transfers / rate}. Kills and faults happen within it. */
  Duration loadDuration() {
    return Duration.ofMillis(transfers * 1000L / rate);
  }

  private record Defaults(boolean shortRun, Map<String, String> values) {
    int integer(String key, int fallback) {
      return Integer.parseInt(values.getOrDefault(key, Integer.toString(fallback)));
    }
  }
}

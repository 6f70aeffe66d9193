package io.github.cspipeline.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one benchmark run does. Every value has a default; arguments are {@code --key=value}.
 *
 * @param transfers commands sent, each a distinct transfer (N)
 * @param warmup transfers sent (the same way) and waited for before the measured window (default
 *     10,000), so that the JIT compiler's work of the first minutes, a cost per process start and
 *     not per transfer, is mostly not counted; 0: the window starts cold
 * @param senders distinct sender addresses; transfer i belongs to sender i mod senders
 * @param rate commands per second; 0 sends all of them in one burst
 * @param viaGateway send through the api-gateway's REST API (its key's rate limit raised) instead
 *     of producing straight onto the commands topic
 * @param concurrency HTTP requests in flight towards the gateway at once (gateway mode only)
 * @param jfr record a JFR profile (settings=profile) of every JVM for the measured window
 * @param defaultLimits run worker and poller with their default Cryptshare request limits (what one
 *     instance sustains as shipped) instead of with the limits off (what a transfer costs)
 * @param extraWorkerArgs / extraPollerArgs further {@code --key=value} settings of the services,
 *     e.g. to compare a setting's effect
 */
record BenchmarkSettings(
    int transfers,
    int warmup,
    int senders,
    int rate,
    boolean viaGateway,
    int concurrency,
    boolean jfr,
    boolean defaultLimits,
    Duration processingTime,
    Duration terminalTimeout,
    int partitions,
    int kafkaPort,
    int simulatorPort,
    int gatewayPort,
    int workerPort,
    int pollerPort,
    Path root,
    Path runDir,
    List<String> javaOpts,
    List<String> brokerJavaOpts,
    List<String> extraWorkerArgs,
    List<String> extraPollerArgs) {

  static BenchmarkSettings parse(String[] args) {
    var values = new HashMap<String, String>();
    for (var arg : args) {
      if (arg.equals("--via-gateway") || arg.equals("--jfr") || arg.equals("--default-limits")) {
        values.put(arg.substring(2), "true");
      } else if (arg.startsWith("--") && arg.contains("=")) {
        values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException("Unknown argument " + arg);
      }
    }
    var v = new Values(values);
    var settings =
        new BenchmarkSettings(
            v.integer("transfers", 20_000),
            v.integer("warmup", 10_000),
            v.integer("senders", 50),
            v.integer("rate", 0),
            v.bool("via-gateway"),
            v.integer("concurrency", 50),
            v.bool("jfr"),
            v.bool("default-limits"),
            Duration.parse(values.getOrDefault("processing-time", "PT2S")),
            Duration.ofSeconds(v.integer("terminal-timeout", 900)),
            v.integer("partitions", 6),
            v.integer("kafka-port", 19492),
            v.integer("simulator-port", 18590),
            v.integer("gateway-port", 18580),
            v.integer("worker-port", 18582),
            v.integer("poller-port", 18583),
            Path.of(values.getOrDefault("root", ".")).toAbsolutePath().normalize(),
            Path.of(values.getOrDefault("run-dir", "pipeline-benchmark-run")).toAbsolutePath(),
            v.words("java-opts", "-Xmx512m -XX:+UseSerialGC"),
            v.words("broker-java-opts", "-Xmx512m -XX:+UseSerialGC"),
            v.words("worker-args", ""),
            v.words("poller-args", ""));
    if (settings.transfers() < 1 || settings.senders() < 1 || settings.rate() < 0) {
      throw new IllegalArgumentException("transfers and senders must be positive, rate >= 0");
    }
    return settings;
  }

  private record Values(Map<String, String> values) {
    int integer(String key, int fallback) {
      return Integer.parseInt(values.getOrDefault(key, Integer.toString(fallback)));
    }

    boolean bool(String key) {
      return Boolean.parseBoolean(values.getOrDefault(key, "false"));
    }

    List<String> words(String key, String fallback) {
      var value = values.getOrDefault(key, fallback).trim();
      return value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
    }
  }
}

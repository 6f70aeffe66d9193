package io.github.cspipeline.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * What the benchmark measures of its processes besides the transfers: CPU seconds per process and
 * per thread group, heap after GC, the load average, each service's Prometheus page, and the
 * simulator's requests per endpoint.
 */
final class ServiceProbes {

  private final Services services;
  private final RunLog log;

  ServiceProbes(Services services, RunLog log) {
    this.services = services;
    this.log = log;
  }

  /** CPU seconds of each process so far, and of the driver. */
  Map<String, Double> cpu() throws IOException {
    var cpu = new LinkedHashMap<String, Double>();
    for (var s : services.all()) {
      cpu.put(s.name, ProcessProbe.cpuSeconds(s.pid()));
    }
    cpu.put("driver", ProcessProbe.cpuSeconds(ProcessHandle.current().pid()));
    return cpu;
  }

  /** CPU seconds of each process's thread groups so far. */
  Map<String, Map<String, Double>> threadCpu() {
    var threads = new LinkedHashMap<String, Map<String, Double>>();
    for (var s : services.all()) {
      threads.put(s.name, ProcessProbe.cpuSecondsByThread(s.pid()));
    }
    return threads;
  }

  /** Each process's heap after a full GC, in KiB. */
  Map<String, Long> heapAfterGc() throws IOException, InterruptedException {
    var heap = new LinkedHashMap<String, Long>();
    for (var s : services.all()) {
      heap.put(s.name, ProcessProbe.heapAfterGc(s.pid()));
    }
    return heap;
  }

  /**
   * Keeps each service's Prometheus page of the end of the run in {@code dir} as {@code
   * <name>-metrics.txt}: its counters (transactions, polls, Kafka client metrics) explain the
   * figures. {@code ports}: each service's Actuator port, by name.
   */
  void saveMetrics(Map<String, Integer> ports, Path dir) {
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
            Files.writeString(dir.resolve(name + "-metrics.txt"), response.body());
          } catch (IOException e) {
            log.log("could not read the metrics of %s: %s", name, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  /** CPU seconds of each thread group within the window, the busiest first. */
  static Map<String, Map<String, Double>> threadDelta(
      Map<String, Map<String, Double>> before, Map<String, Map<String, Double>> after) {
    var delta = new LinkedHashMap<String, Map<String, Double>>();
    after.forEach(
        (process, threads) -> {
          var used = new LinkedHashMap<String, Double>();
          var was = before.getOrDefault(process, Map.of());
          threads.entrySet().stream()
              .map(e -> Map.entry(e.getKey(), e.getValue() - was.getOrDefault(e.getKey(), 0.0)))
              .filter(e -> e.getValue() >= 0.005)
              .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
              .forEach(e -> used.put(e.getKey(), e.getValue()));
          delta.put(process, used);
        });
    return delta;
  }

  /** The simulator's requests per endpoint that had any, and their total. */
  static Map<String, Long> requestsPerEndpoint(JsonNode stats) {
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

  /** The 1, 5 and 15 minute load averages, or {@code ?}. */
  static String loadAverage() {
    try {
      var fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "?";
    }
  }
}

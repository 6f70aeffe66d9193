package io.github.cspipeline.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.Nullable;

/**
 * Where one process spent its CPU, from the execution samples of a JFR recording: the hottest
 * frames (top of stack), the hottest frames of our own code (the first {@code io.github.cspipeline}
 * frame from the top, i.e. the own method that did the work or called into a library), own methods
 * by inclusive samples, busiest threads, and the allocation sites by weight.
 */
record Profile(
    String process,
    long samples,
    Map<String, Long> topFrames,
    Map<String, Long> ownFrames,
    Map<String, Long> ownInclusive,
    Map<String, Long> threads,
    Map<String, Long> layers,
    Map<String, Long> selfLayers,
    Map<String, Long> allocationBytesByOwnFrame) {

  static final String OWN = "io.github.cspipeline.";

  /**
   * Where the CPU goes by library: a sample counts for every layer one of its frames belongs to
   * (inclusive), so the shares overlap. The broker's request types are layers of their own.
   */
  static final Map<String, List<String>> LAYERS = layerPrefixes();

  private static Map<String, List<String>> layerPrefixes() {
    var layers = new LinkedHashMap<String, List<String>>();
    layers.put("logging (logback, slf4j)", List.of("ch.qos.logback.", "org.slf4j."));
    layers.put(
        "metrics (micrometer core, prometheus)", List.of("io.micrometer.core.", "io.prometheus."));
    layers.put(
        "tracing (micrometer tracing, brave, otel, observation)",
        List.of(
            "io.micrometer.tracing.",
            "brave.",
            "io.opentelemetry.",
            "io.micrometer.observation.",
            "io.micrometer.context."));
    layers.put("JSON (jackson)", List.of("tools.jackson.", "com.fasterxml.jackson."));
    layers.put("JDK HTTP client", List.of("jdk.internal.net.http.", "java.net.http."));
    layers.put("Apache HttpClient", List.of("org.apache.hc."));
    layers.put(
        "Spring web client",
        List.of("org.springframework.web.client.", "org.springframework.http."));
    layers.put("Kafka producer", List.of("org.apache.kafka.clients.producer."));
    layers.put("Kafka consumer", List.of("org.apache.kafka.clients.consumer."));
    layers.put("spring-kafka", List.of("org.springframework.kafka."));
    layers.put(
        "Tomcat / Spring MVC",
        List.of("org.apache.catalina.", "org.apache.coyote.", "org.springframework.web.servlet."));
    layers.put("own code", List.of(OWN));
    for (var api :
        List.of(
            "Produce",
            "Fetch",
            "EndTxn",
            "AddPartitionsToTxn",
            "AddOffsetsToTxn",
            "TxnOffsetCommit",
            "InitProducerId",
            "OffsetCommit",
            "Heartbeat",
            "ConsumerGroupHeartbeat",
            "Metadata",
            "ListOffsets",
            "WriteTxnMarkers",
            "FindCoordinator")) {
      layers.put("broker: " + api, List.of("kafka.server.KafkaApis.handle" + api));
    }
    layers.put(
        "broker: transaction markers",
        List.of(
            "kafka.coordinator.transaction.TransactionMarkerChannelManager",
            "org.apache.kafka.coordinator.transaction."));
    layers.put(
        "broker: log append",
        List.of(
            "kafka.log.UnifiedLog.append",
            "org.apache.kafka.storage.internals.log.LogSegment.append"));
    return layers;
  }

  static Profile of(String process, Path recording, int top) throws IOException {
    var topFrames = new HashMap<String, Long>();
    var ownFrames = new HashMap<String, Long>();
    var ownInclusive = new HashMap<String, Long>();
    var threads = new HashMap<String, Long>();
    var allocations = new HashMap<String, Long>();
    var layers = new HashMap<String, Long>();
    var selfLayers = new HashMap<String, Long>();
    long samples = 0;
    try (var file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        var event = file.readEvent();
        var type = event.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
          samples++;
          var thread = event.getThread("sampledThread");
          threads.merge(
              thread == null ? "?" : threadGroup(String.valueOf(thread.getJavaName())),
              1L,
              Long::sum);
          var stack = event.getStackTrace();
          if (stack == null || stack.getFrames().isEmpty()) {
            continue;
          }
          topFrames.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
          var own = firstOwn(stack);
          ownFrames.merge(own == null ? "(no own frame)" : own, 1L, Long::sum);
          var seen = new HashSet<String>();
          var inLayers = new HashSet<String>();
          for (var frame : stack.getFrames()) {
            var n = name(frame);
            if (n.startsWith(OWN) && seen.add(n)) {
              ownInclusive.merge(n, 1L, Long::sum);
            }
            LAYERS.forEach(
                (layer, prefixes) -> {
                  if (prefixes.stream().anyMatch(n::startsWith)) {
                    inLayers.add(layer);
                  }
                });
          }
          inLayers.forEach(layer -> layers.merge(layer, 1L, Long::sum));
          selfLayers.merge(selfLayer(stack), 1L, Long::sum);
        } else if (type.equals("jdk.ObjectAllocationSample")) {
          var stack = event.getStackTrace();
          var own = stack == null ? null : firstOwn(stack);
          allocations.merge(
              own == null ? "(no own frame)" : own, event.getLong("weight"), Long::sum);
        }
      }
    }
    return new Profile(
        process,
        samples,
        top(topFrames, top),
        top(ownFrames, top),
        top(ownInclusive, top),
        top(threads, 10),
        top(layers, LAYERS.size()),
        top(selfLayers, LAYERS.size() + 1),
        top(allocations, 10));
  }

  void print(PrintStream out) {
    out.printf("%n===== JFR %s: %d execution samples =====%n", process, samples);
    section(out, "hottest frames (top of stack)", topFrames, samples, "samples");
    section(
        out,
        "hottest own frames (first io.github.cspipeline frame)",
        ownFrames,
        samples,
        "samples");
    section(out, "own methods, inclusive", ownInclusive, samples, "samples");
    section(out, "threads", threads, samples, "samples");
    section(out, "layers (inclusive, overlapping)", layers, samples, "samples");
    section(
        out,
        "layers (self: the topmost frame of a known library; JDK frames count for their caller)",
        selfLayers,
        samples,
        "samples");
    long allocated = allocationBytesByOwnFrame.values().stream().mapToLong(Long::longValue).sum();
    out.printf("  -- allocation (sampled weight) by first own frame, top 10 --%n");
    allocationBytesByOwnFrame.forEach(
        (frame, bytes) -> out.printf("  %10.1f MB  %s%n", bytes / 1e6, frame));
    out.printf("  (top 10 together: %.1f MB)%n", allocated / 1e6);
  }

  private static void section(
      PrintStream out, String title, Map<String, Long> counts, long total, String unit) {
    out.printf("  -- %s --%n", title);
    counts.forEach(
        (frame, n) ->
            out.printf("  %6d %s %5.1f %%  %s%n", n, unit, 100.0 * n / Math.max(1, total), frame));
  }

  /** Prints the profile of each recording named: {@code java ... Profile file.jfr...}. */
  public static void main(String[] args) throws IOException {
    for (var file : args) {
      var path = Path.of(file);
      var name = path.getFileName().toString().replaceFirst("\\.jfr$", "");
      of(name, path, 20).print(System.out);
    }
  }

  private static String selfLayer(RecordedStackTrace stack) {
    for (var frame : stack.getFrames()) {
      var n = name(frame);
      for (var layer : LAYERS.entrySet()) {
        if (!layer.getKey().startsWith("broker: ")
            && layer.getValue().stream().anyMatch(n::startsWith)) {
          return layer.getKey();
        }
      }
    }
    return "JDK / other";
  }

  private static @Nullable String firstOwn(RecordedStackTrace stack) {
    for (var frame : stack.getFrames()) {
      var n = name(frame);
      if (n.startsWith(OWN)) {
        return n;
      }
    }
    return null;
  }

  private static String name(RecordedFrame frame) {
    var method = frame.getMethod();
    return method.getType().getName() + "." + method.getName();
  }

  /** Thread pools counted as one: digits at the end and in the middle of a name collapse to #. */
  private static String threadGroup(String name) {
    return name.replaceAll("\\d+", "#");
  }

  private static Map<String, Long> top(Map<String, Long> counts, int n) {
    var result = new LinkedHashMap<String, Long>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .forEach(e -> result.put(e.getKey(), e.getValue()));
    return result;
  }

  /** Every frame's count as a list of rows, for the JSON summary. */
  static List<Map<String, Object>> rows(Map<String, Long> counts, long total) {
    return counts.entrySet().stream()
        .map(
            e ->
                Map.<String, Object>of(
                    "frame",
                    e.getKey(),
                    "samples",
                    e.getValue(),
                    "percent",
                    Math.round(1000.0 * e.getValue() / Math.max(1, total)) / 10.0))
        .toList();
  }
}

package io.github.cspipeline.chaos;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** The figures of one benchmark run: printed as a table and written as JSON for comparisons. */
record BenchmarkResult(
    BenchmarkSettings settings,
    int terminals,
    long elapsedMillis,
    Latency requestToTerminal,
    Latency processingToTerminal,
    Map<String, Double> cpuBefore,
    Map<String, Double> cpuAfter,
    Map<String, Long> heapAfterGc,
    Map<String, Long> cryptshareRequests,
    BenchmarkAudit audit,
    Map<String, Long> answers,
    String loadBefore,
    String loadAfter,
    Map<String, Map<String, Double>> threadCpuSeconds,
    List<TopicCensus.Count> topics,
    List<Profile> profiles) {

  /** Percentiles of a span in ms (nearest rank). */
  record Latency(int count, long p50, long p99, long max) {
    static Latency of(long[] sorted) {
      if (sorted.length == 0) {
        return new Latency(0, 0, 0, 0);
      }
      return new Latency(
          sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static long rank(long[] sorted, double p) {
      return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
  }

  double transfersPerSecond() {
    return terminals * 1000.0 / Math.max(1, elapsedMillis);
  }

  /** CPU seconds used by each process within the measured window. */
  Map<String, Double> cpuSeconds() {
    var used = new LinkedHashMap<String, Double>();
    cpuBefore.forEach((name, before) -> used.put(name, cpuAfter.get(name) - before));
    return used;
  }

  double msPerTransfer(double cpuSeconds) {
    return cpuSeconds * 1000.0 / Math.max(1, settings.transfers());
  }

  void print(PrintStream out) {
    out.println();
    out.printf(
        "===== pipeline benchmark: %d transfers (after %d of warm-up), %d senders, %s, %s,"
            + " processing %s, Cryptshare limits %s =====%n",
        settings.transfers(),
        settings.warmup(),
        settings.senders(),
        settings.rate() == 0 ? "one burst" : settings.rate() + "/s",
        settings.viaGateway() ? "through the gateway" : "straight onto the commands topic",
        settings.processingTime(),
        settings.defaultLimits() ? "as shipped" : "off");
    out.printf(
        "throughput      %8.1f transfers/s  (first command -> %d-th terminal event: %.1f s)%n",
        transfersPerSecond(), terminals, elapsedMillis / 1e3);
    out.printf("latency (ms)          p50      p99      max%n");
    latency(out, "request->terminal", requestToTerminal);
    latency(out, "PROCESSING->terminal", processingToTerminal);
    out.printf(
        "%-12s %9s %12s %14s %18s%n",
        "process", "CPU s", "ms/transfer", "heap after GC", "of it JIT threads");
    double services = 0;
    for (var entry : cpuSeconds().entrySet()) {
      var name = entry.getKey();
      var heap = heapAfterGc.get(name);
      var jit = jitSeconds(name);
      out.printf(
          "%-12s %9.2f %12.3f %14s %18s%n",
          name,
          entry.getValue(),
          msPerTransfer(entry.getValue()),
          heap == null ? "" : String.format("%.1f MB", heap / 1048576.0),
          jit == 0 ? "" : String.format("%.3f", msPerTransfer(jit)));
      if (!name.equals("driver")) {
        services += entry.getValue();
      }
    }
    out.printf("%-12s %9.2f %12.3f%n", "all services", services, msPerTransfer(services));
    var cpu = cpuSeconds();
    double workerAndPoller = cpu.getOrDefault("worker", 0.0) + cpu.getOrDefault("poller", 0.0);
    double workerAndPollerJit = jitSeconds("worker") + jitSeconds("poller");
    out.printf(
        "worker+poller %8s %12.3f   (goal <= 1.2; without the JIT threads %.3f)%n",
        "", msPerTransfer(workerAndPoller), msPerTransfer(workerAndPoller - workerAndPollerJit));
    out.printf("Cryptshare requests per transfer:");
    cryptshareRequests.forEach(
        (endpoint, n) ->
            out.printf(" %s %.3f", endpoint, n / (double) Math.max(1, settings.transfers())));
    out.println();
    out.printf("commands: %s%n", answers);
    out.printf(
        "audit: %d terminal events, states %s; missing %d, duplicated %d, unknown %d,"
            + " republished with the same ce_id %d%n",
        audit.terminalEvents(),
        audit.states(),
        audit.missing().size(),
        audit.duplicated().size(),
        audit.unknown().size(),
        audit.republished());
    examples(out, "missing", audit.missing());
    examples(out, "duplicated", audit.duplicated());
    examples(out, "unknown", audit.unknown());
    out.printf(
        "load average (1/5/15 min) before %s, after %s; %d cores%n",
        loadBefore, loadAfter, Runtime.getRuntime().availableProcessors());
    out.println(
        "topics (per transfer, warm-up included): records, transaction markers, bytes of key+value");
    for (var t : topics) {
      double n = Math.max(1, settings.transfers() + settings.warmup());
      out.printf(
          "  %-36s %7.3f records %7.3f markers %8.1f bytes%n",
          t.topic(), t.records() / n, t.markers() / n, t.keyAndValueBytes() / n);
    }
    out.println("CPU by thread (ms per transfer; live threads only, digits folded to #):");
    threadCpuSeconds.forEach(
        (process, threads) -> {
          out.printf("  %-10s", process);
          threads.entrySet().stream()
              .limit(12)
              .forEach(e -> out.printf(" [%s] %.3f", e.getKey(), msPerTransfer(e.getValue())));
          out.println();
        });
    out.println(audit.violations() == 0 ? "RESULT: PASS" : "RESULT: FAIL");
    profiles.forEach(p -> p.print(out));
  }

  /** CPU seconds of the process's JIT compiler threads (C1, C2) within the window. */
  double jitSeconds(String process) {
    return threadCpuSeconds.getOrDefault(process, Map.of()).entrySet().stream()
        .filter(e -> e.getKey().contains("CompilerThre"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  private static void latency(PrintStream out, String name, Latency l) {
    out.printf("%-20s %8d %8d %8d  (%d transfers)%n", name, l.p50(), l.p99(), l.max(), l.count());
  }

  private static void examples(PrintStream out, String what, List<String> keys) {
    if (!keys.isEmpty()) {
      out.printf("  %s, first of them: %s%n", what, keys.subList(0, Math.min(10, keys.size())));
    }
  }

  String json() {
    var root = new LinkedHashMap<String, Object>();
    var s = new LinkedHashMap<String, Object>();
    s.put("transfers", settings.transfers());
    s.put("warmup", settings.warmup());
    s.put("senders", settings.senders());
    s.put("rate", settings.rate());
    s.put("viaGateway", settings.viaGateway());
    s.put("defaultLimits", settings.defaultLimits());
    s.put("processingTime", settings.processingTime().toString());
    s.put("jfr", settings.jfr());
    s.put("javaOpts", String.join(" ", settings.javaOpts()));
    s.put("workerArgs", String.join(" ", settings.extraWorkerArgs()));
    s.put("pollerArgs", String.join(" ", settings.extraPollerArgs()));
    root.put("settings", s);
    root.put("terminalEvents", terminals);
    root.put("seconds", elapsedMillis / 1e3);
    root.put("transfersPerSecond", round(transfersPerSecond()));
    root.put("requestToTerminalMs", requestToTerminal);
    root.put("processingToTerminalMs", processingToTerminal);
    var cpu = new LinkedHashMap<String, Object>();
    cpuSeconds()
        .forEach(
            (name, seconds) ->
                cpu.put(
                    name,
                    Map.of(
                        "seconds",
                        round(seconds),
                        "msPerTransfer",
                        round(msPerTransfer(seconds)),
                        "jitMsPerTransfer",
                        round(msPerTransfer(jitSeconds(name))))));
    root.put("cpu", cpu);
    root.put("heapAfterGcBytes", heapAfterGc);
    var requests = new LinkedHashMap<String, Object>();
    cryptshareRequests.forEach(
        (endpoint, n) -> requests.put(endpoint, round(n / (double) settings.transfers())));
    root.put("cryptshareRequestsPerTransfer", requests);
    root.put("commands", answers);
    var a = new LinkedHashMap<String, Object>();
    a.put("terminalEvents", audit.terminalEvents());
    a.put("states", audit.states());
    a.put("missing", audit.missing().size());
    a.put("duplicated", audit.duplicated().size());
    a.put("unknown", audit.unknown().size());
    a.put("republished", audit.republished());
    root.put("audit", a);
    root.put("loadAverageBefore", loadBefore);
    root.put("loadAverageAfter", loadAfter);
    root.put("threadCpuSeconds", threadCpuSeconds);
    root.put("topics", topics);
    var jfr = new ArrayList<Object>();
    for (var p : profiles) {
      var m = new LinkedHashMap<String, Object>();
      m.put("process", p.process());
      m.put("samples", p.samples());
      m.put("topFrames", Profile.rows(p.topFrames(), p.samples()));
      m.put("ownFrames", Profile.rows(p.ownFrames(), p.samples()));
      m.put("ownInclusive", Profile.rows(p.ownInclusive(), p.samples()));
      m.put("threads", Profile.rows(p.threads(), p.samples()));
      m.put("layers", Profile.rows(p.layers(), p.samples()));
      m.put("selfLayers", Profile.rows(p.selfLayers(), p.samples()));
      jfr.add(m);
    }
    root.put("jfr", jfr);
    return JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}

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
    Map<String, Long> allocationBytesByOwnFrame) {

  static final String OWN = "io.github.cspipeline.";

  static Profile of(String process, Path recording, int top) throws IOException {
    var topFrames = new HashMap<String, Long>();
    var ownFrames = new HashMap<String, Long>();
    var ownInclusive = new HashMap<String, Long>();
    var threads = new HashMap<String, Long>();
    var allocations = new HashMap<String, Long>();
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
          for (var frame : stack.getFrames()) {
            var n = name(frame);
            if (n.startsWith(OWN) && seen.add(n)) {
              ownInclusive.merge(n, 1L, Long::sum);
            }
          }
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

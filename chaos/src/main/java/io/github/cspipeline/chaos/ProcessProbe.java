package io.github.cspipeline.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What the operating system and the JVM tell about one process: CPU time from {@code
 * /proc/<pid>/stat}, the heap after a full GC and JFR recordings through {@code jcmd}. Linux only.
 */
final class ProcessProbe {

  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
  private static final String RECORDING = "pipeline-benchmark";

  private static final long TICKS_PER_SECOND = ticksPerSecond();

  private ProcessProbe() {}

  /** User plus system CPU time of the process (all its threads) so far, in seconds. */
  static double cpuSeconds(long pid) throws IOException {
    var stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after the name.
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS_PER_SECOND;
  }

  /**
   * CPU seconds so far of each of the process's live threads, summed by thread name (digits folded
   * to #, names as the kernel keeps them: 15 characters). Shows what execution samples do not: JIT
   * compiler, GC and VM threads. A thread that ended meanwhile takes its time with it.
   */
  static Map<String, Double> cpuSecondsByThread(long pid) {
    var byName = new TreeMap<String, Double>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (var task : tasks.toList()) {
        try {
          var stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
          var name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double seconds =
              (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS_PER_SECOND;
          byName.merge(name.replaceAll("\\d+", "#"), seconds, Double::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended while being read
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return byName;
  }

  /** Runs a full GC in the process, then reads the heap in use (all generations), in bytes. */
  static long heapAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    var info = jcmd(pid, "GC.heap_info");
    long usedKb = 0;
    var matcher = HEAP_USED.matcher(info);
    while (matcher.find()) {
      usedKb += Long.parseLong(matcher.group(1));
    }
    if (usedKb == 0) {
      throw new IOException("Unexpected GC.heap_info of " + pid + ": " + info);
    }
    return usedKb * 1024;
  }

  static void startRecording(long pid) throws IOException, InterruptedException {
    jcmd(pid, "JFR.start", "name=" + RECORDING, "settings=profile");
  }

  static void stopRecording(long pid, Path file) throws IOException, InterruptedException {
    jcmd(pid, "JFR.stop", "name=" + RECORDING, "filename=" + file.toAbsolutePath());
  }

  static String jcmd(long pid, String... command) throws IOException, InterruptedException {
    var args = new ArrayList<>(List.of(tool("jcmd"), Long.toString(pid)));
    args.addAll(List.of(command));
    var process = new ProcessBuilder(args).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " " + String.join(" ", command) + ": " + output);
    }
    return output;
  }

  static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  private static long ticksPerSecond() {
    try {
      var process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      process.waitFor();
      return Long.parseLong(out.trim());
    } catch (IOException | RuntimeException e) {
      return 100; // USER_HZ on every common Linux build
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}

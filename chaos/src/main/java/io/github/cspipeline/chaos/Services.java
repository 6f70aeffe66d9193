package io.github.cspipeline.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The processes of one run: each a separate JVM started from the module's executable jar, with its
 * output appended to {@code <run dir>/<name>.log} (a restart appends a marker line). Killing is
 * {@code SIGKILL} ({@link Process#destroyForcibly()}) of the process this suite started, nothing
 * else.
 */
final class Services {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** One process: how to start it, how to tell it is up. */
  static final class Service {
    final String name;
    final String type;
    private final List<String> command;
    private final Path log;
    private final @Nullable URI health;
    private final int port;
    private volatile @Nullable Process process;

    Service(
        String name, String type, List<String> command, Path log, @Nullable URI health, int port) {
      this.name = name;
      this.type = type;
      this.command = command;
      this.log = log;
      this.health = health;
      this.port = port;
    }

    synchronized void start() throws IOException {
      Files.writeString(
          log,
          "===== chaos: starting " + name + " at " + Instant.now() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    }

    /** kill -9, and waits until the process is gone. */
    synchronized void kill() throws InterruptedException, IOException {
      var p = process;
      if (p != null) {
        p.destroyForcibly().waitFor();
        Files.writeString(
            log,
            "===== chaos: killed " + name + " (kill -9) at " + Instant.now() + "\n",
            StandardOpenOption.APPEND);
      }
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    void stop() {
      var p = process;
      if (p == null) {
        return;
      }
      p.destroy();
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    /** The operating system's id of the running process; -1 when it is not running. */
    long pid() {
      var p = process;
      return p != null && p.isAlive() ? p.pid() : -1;
    }

    boolean alive() {
      var p = process;
      return p != null && p.isAlive();
    }

    boolean healthy() {
      if (!alive()) {
        return false;
      }
      if (health == null) {
        try (var socket = new Socket()) {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
          return true;
        } catch (IOException e) {
          return false;
        }
      }
      try {
        var response =
            HTTP.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains("\"UP\"");
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** Waits until healthy; false when it died or the timeout passed. */
    boolean awaitHealthy(Duration timeout) throws InterruptedException {
      var deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (healthy()) {
          return true;
        }
        if (!alive()) {
          return false;
        }
        Thread.sleep(300);
      }
      return false;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final List<Service> all = new ArrayList<>();

  Service add(Service service) {
    all.add(service);
    return service;
  }

  List<Service> all() {
    return List.copyOf(all);
  }

  List<Service> ofType(String type) {
    return all.stream().filter(s -> s.type.equals(type)).toList();
  }

  /** What a driver does once the broker is up and before the other processes start. */
  @FunctionalInterface
  interface BrokerUp {
    void run() throws Exception;
  }

  /**
   * Starts the broker, then {@code brokerUp}, then every other process at once; returns when all
   * are healthy, or throws naming the first that did not come up.
   */
  void startAll(BrokerUp brokerUp) throws Exception {
    var broker = ofType("broker").get(0);
    broker.start();
    require(broker, Duration.ofSeconds(90));
    brokerUp.run();
    for (var s : all) {
      if (s != broker) {
        s.start();
      }
    }
    awaitAllHealthy(Duration.ofSeconds(240));
  }

  /** Returns when every process is healthy; throws naming the first that was not in time. */
  void awaitAllHealthy(Duration timeout) throws InterruptedException {
    for (var s : all) {
      require(s, timeout);
    }
  }

  /** The operating system's id of each process, by name. */
  Map<String, Long> pids() {
    var pids = new LinkedHashMap<String, Long>();
    all.forEach(s -> pids.put(s.name, s.pid()));
    return pids;
  }

  private static void require(Service service, Duration timeout) throws InterruptedException {
    if (!service.awaitHealthy(timeout)) {
      throw new IllegalStateException(service + " did not come up; see its log");
    }
  }

  /**
   * A driver's {@code main}: exits with what {@code run} returns, or 2 when it throws (the run
   * itself failed); every process is stopped either way, also on Ctrl-C.
   */
  void runAndExit(String tool, Callable<Integer> run, Runnable beforeStop) {
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
    int exit;
    try {
      exit = run.call();
    } catch (Exception e) {
      System.err.println(tool + ": the run failed: " + e);
      e.printStackTrace();
      exit = 2;
    } finally {
      beforeStop.run();
      stopAll();
    }
    System.exit(exit);
  }

  /**
   * The services at once (each SIGTERM, then SIGKILL after a grace period), the broker last, so
   * that they can leave their groups while it runs.
   */
  void stopAll() {
    var services = all.stream().filter(s -> !s.type.equals("broker")).toList();
    var threads = services.stream().map(s -> Thread.ofVirtual().start(s::stop)).toList();
    for (var thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    all.stream().filter(s -> s.type.equals("broker")).forEach(Service::stop);
  }
}

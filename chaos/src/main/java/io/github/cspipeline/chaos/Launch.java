package io.github.cspipeline.chaos;

import io.github.cspipeline.chaos.Services.Service;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * How a driver defines its processes: each a JVM started from its module's executable jar under
 * {@code root}, logging into {@code runDir}, with the settings every driver gives it alike (local
 * addresses, the simulator as Cryptshare, Actuator on the management port).
 */
record Launch(Path root, Path runDir, Services services) {

  /** The local Kafka broker, up when its port accepts connections. */
  void broker(String name, List<String> jvmOptions, int kafkaPort) {
    services.add(
        new Service(
            name,
            "broker",
            command(
                jvmOptions,
                "local-kafka",
                List.of(Integer.toString(kafkaPort), runDir.resolve("kafka-data").toString())),
            runDir.resolve(name + ".log"),
            null,
            kafkaPort));
  }

  /** The simulator, with sessions created on first use; {@code extra}: further settings. */
  void simulator(List<String> jvmOptions, int port, Duration processingTime, String... extra) {
    var args = new ArrayList<String>();
    args.add("--server.address=127.0.0.1");
    args.add("--server.port=" + port);
    args.add("--simulator.auto-sessions=true");
    args.add("--simulator.processing-time=" + processingTime);
    args.addAll(List.of(extra));
    app(
        "simulator",
        "simulator",
        "cryptshare-simulator",
        jvmOptions,
        args,
        port,
        port,
        "/actuator/health");
  }

  /**
   * One process of a Spring Boot module: {@code args} as given, healthy when Actuator's {@code
   * healthPath} on {@code healthPort} says UP.
   */
  void app(
      String name,
      String type,
      String module,
      List<String> jvmOptions,
      List<String> args,
      int port,
      int healthPort,
      String healthPath) {
    services.add(
        new Service(
            name,
            type,
            command(jvmOptions, module, args),
            runDir.resolve(name + ".log"),
            URI.create("http://127.0.0.1:" + healthPort + healthPath),
            port));
  }

  /**
   * A worker or poller: {@code common} plus Actuator on {@code port}, the only HTTP they serve (ADR
   * 026), plus {@code extra}.
   */
  void managed(
      String name,
      String type,
      String module,
      List<String> jvmOptions,
      List<String> common,
      int port,
      List<String> extra) {
    var args = new ArrayList<>(common);
    args.addAll(management(port));
    args.addAll(extra);
    app(name, type, module, jvmOptions, args, port, port, "/actuator/health");
  }

  /** {@link #managed} once per port, named {@code <type>-1}, {@code <type>-2}, ... */
  void instances(
      String type,
      String module,
      List<String> jvmOptions,
      List<String> common,
      List<Integer> ports,
      List<String> extra) {
    for (int i = 0; i < ports.size(); i++) {
      managed(type + "-" + (i + 1), type, module, jvmOptions, common, ports.get(i), extra);
    }
  }

  /**
   * The gateway: {@code common} plus its API on {@code port}, Actuator on its own port (ADR 026),
   * the API port plus one, and one API key {@code keyName} for {@code apiKey}, plus {@code extra}.
   */
  void gateway(
      List<String> jvmOptions,
      List<String> common,
      int port,
      String keyName,
      String apiKey,
      long requestsPerSecond,
      List<String> extra) {
    var args = new ArrayList<>(common);
    args.add("--server.address=127.0.0.1");
    args.add("--server.port=" + port);
    args.addAll(management(port + 1));
    args.add("--cryptshare.gateway.api-keys[0].name=" + keyName);
    args.add("--cryptshare.gateway.api-keys[0].sha256=" + sha256(apiKey));
    args.add("--cryptshare.gateway.api-keys[0].requests-per-second=" + requestsPerSecond);
    args.addAll(extra);
    args.add("--cryptshare.gateway.view.state-dir=" + runDir.resolve("gateway-view"));
    app(
        "gateway",
        "gateway",
        "api-gateway",
        jvmOptions,
        args,
        port,
        port + 1,
        "/actuator/health/readiness");
  }

  /**
   * What every app is given: the broker, and the simulator as each named Cryptshare server ({@code
   * default} and {@code servers}), all with one client id.
   */
  static List<String> common(int kafkaPort, int simulatorPort, String clientId, String... servers) {
    var simulatorUrl = "http://127.0.0.1:" + simulatorPort;
    var args = new ArrayList<String>();
    args.add("--spring.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort);
    args.add("--cryptshare.servers.default.base-url=" + simulatorUrl);
    args.add("--cryptshare.servers.default.client-id=" + clientId);
    for (var server : servers) {
      args.add("--cryptshare.servers[" + server + "].base-url=" + simulatorUrl);
      args.add("--cryptshare.servers[" + server + "].client-id=" + clientId);
    }
    return args;
  }

  private static List<String> management(int port) {
    return List.of("--management.server.address=127.0.0.1", "--management.server.port=" + port);
  }

  private List<String> command(List<String> jvmOptions, String module, List<String> args) {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(root.resolve(module).resolve("target").resolve(module + ".jar").toString());
    command.addAll(args);
    return command;
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }
}

package io.github.cspipeline.simulator;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class CryptshareSimulatorApplication {

  /**
   * What {@code java -jar} needs, as Boot's default properties (the lowest precedence: properties
   * given to {@link #builder}, arguments or a configuration file override them; ADR 031). Every
   * simulator setting has its default in {@code SimulatorProperties}.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.ofEntries(
          Map.entry("spring.application.name", "cryptshare-simulator"),
          Map.entry("server.port", "8090"),
          Map.entry("management.endpoints.web.exposure.include", "health,info,prometheus"),
          // Injected latency sleeps in the request thread; virtual threads keep it from capping
          // the request rate of a benchmark at the size of Tomcat's thread pool.
          Map.entry("spring.threads.virtual.enabled", "true"),
          // Per-request work nobody here uses, a good part of the CPU of a request (issue 12):
          // the simulator counts its requests itself (/simulator/stats), and nothing listens for
          // request-handled events.
          Map.entry("management.observations.enable.http.server.requests", "false"),
          Map.entry("spring.mvc.publish-request-handled-events", "false"));

  public static void main(String[] args) {
    builder().run(args);
  }

  /**
   * The simulator as a ready-to-run application, also for other modules' tests, in-process: {@code
   * CryptshareSimulatorApplication.builder().properties("server.port=0",
   * "spring.config.name=none").run()}, and {@code @SpringBootTest(useMainMethod = ALWAYS)}.
   */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(CryptshareSimulatorApplication.class).properties(DEFAULTS);
  }
}

package io.github.cspipeline.simulator;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class CryptshareSimulatorApplication {

  public static void main(String[] args) {
    builder().run(args);
  }

  /**
   * The simulator as a ready-to-run application, also for other modules' tests, in-process: {@code
   * CryptshareSimulatorApplication.builder().properties("server.port=0",
   * "spring.config.name=none").run()}. Its defaults need no configuration file; properties given
   * here or in a configuration file override them.
   */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(CryptshareSimulatorApplication.class)
        .properties(
            "spring.application.name=cryptshare-simulator",
            "server.port=8090",
            // Injected latency sleeps in the request thread; virtual threads keep it from capping
            // the request rate of a benchmark at the size of Tomcat's thread pool.
            "spring.threads.virtual.enabled=true",
            // Per-request work nobody here uses, a good part of the CPU of a request (issue 12):
            // the simulator counts its requests itself (/simulator/stats), and nothing listens
            // for request-handled events.
            "management.observations.enable.http.server.requests=false",
            "spring.mvc.publish-request-handled-events=false");
  }
}

package io.github.cspipeline.poller;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Watches transfers in {@code PROCESSING} until Cryptshare reports a terminal state and publishes
 * that state as one terminal event.
 */
@SpringBootApplication
public class StatusPollerApplication {

  /** For in-process starts, e.g. beside the other services in the end-to-end tests. */
  public static SpringApplicationBuilder builder() {
    // Defaults that do not depend on a configuration file: spans name the service, and one trace
    // in ten is recorded where the poller starts one (every trace is propagated all the same, ADR
    // 020).
    return new SpringApplicationBuilder(StatusPollerApplication.class)
        .properties(
            "spring.application.name=status-poller", "management.tracing.sampling.probability=0.1");
  }

  public static void main(String[] args) {
    builder().run(args);
  }
}

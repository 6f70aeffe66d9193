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
    return new SpringApplicationBuilder(StatusPollerApplication.class);
  }

  public static void main(String[] args) {
    builder().run(args);
  }
}

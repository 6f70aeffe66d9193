package io.github.cspipeline.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class TransferWorkerApplication {

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The application, ready to run; the end-to-end tests start it in-process with this. */
  public static SpringApplicationBuilder builder() {
    // Defaults that do not depend on a configuration file: the health endpoint shows each
    // Cryptshare server's circuit; spans name the service, and one trace in ten is recorded (every
    // trace is propagated all the same, ADR 020).
    return new SpringApplicationBuilder(TransferWorkerApplication.class)
        .properties(
            "management.endpoint.health.show-details=always",
            "spring.application.name=transfer-worker",
            "management.tracing.sampling.probability=0.1");
  }
}

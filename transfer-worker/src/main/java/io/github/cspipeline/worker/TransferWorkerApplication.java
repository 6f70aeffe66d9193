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
    return new SpringApplicationBuilder(TransferWorkerApplication.class);
  }
}

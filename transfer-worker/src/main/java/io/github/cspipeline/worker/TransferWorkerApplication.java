package io.github.cspipeline.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class TransferWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(TransferWorkerApplication.class, args);
  }
}

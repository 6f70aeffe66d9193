package io.github.cspipeline.simulator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CryptshareSimulatorApplication {

  public static void main(String[] args) {
    SpringApplication.run(CryptshareSimulatorApplication.class, args);
  }
}

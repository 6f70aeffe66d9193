package io.github.cspipeline.poller;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class StatusPollerApplication {

  public static void main(String[] args) {
    SpringApplication.run(StatusPollerApplication.class, args);
  }
}

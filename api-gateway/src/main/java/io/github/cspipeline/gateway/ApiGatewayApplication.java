package io.github.cspipeline.gateway;

import io.github.cspipeline.gateway.config.GatewayProperties;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class ApiGatewayApplication {

  public static void main(String[] args) {
    builder().run(args);
  }

  /** For in-process starts, e.g. by the end-to-end tests. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(ApiGatewayApplication.class);
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}

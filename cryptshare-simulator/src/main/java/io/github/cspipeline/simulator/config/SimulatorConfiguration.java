package io.github.cspipeline.simulator.config;

import java.time.Clock;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SimulatorProperties.class)
public class SimulatorConfiguration {

  /** Transfer states, token validity and request rates are all computed from this clock. */
  @Bean
  public Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * Behind outcome draws, injected faults and generated ids. {@link Random} is thread-safe, and a
   * seed makes a single-threaded run reproducible.
   */
  @Bean
  public RandomGenerator simulatorRandom(SimulatorProperties properties) {
    Long seed = properties.randomSeed();
    return seed == null ? new Random() : new Random(seed);
  }
}

package io.github.cspipeline.simulator;

import io.github.cspipeline.testkit.MutableClock;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * The simulator on a random port with a {@link MutableClock} standing at {@link
 * SimulatorTestSupport#START}. Test classes share one context, so each test starts with {@link
 * SimulatorClient#reset()}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    // Started as main() starts it, with the application's defaults (ADR 031).
    useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
@Import(SimulatorTest.ClockConfiguration.class)
public @interface SimulatorTest {

  @TestConfiguration(proxyBeanMethods = false)
  class ClockConfiguration {
    @Bean
    @Primary
    MutableClock mutableClock() {
      return new MutableClock(SimulatorTestSupport.START);
    }
  }
}

package io.github.cspipeline.example.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

class ConsumerPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ConsumerProperties.class)
  static class Bind {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(Bind.class);

  @Test
  void runs_on_its_defaults() {
    runner.run(
        context -> {
          var properties = context.getBean(ConsumerProperties.class);
          assertThat(properties.topic()).isEqualTo("cryptshare.transfer.events");
          assertThat(properties.groupId()).isEqualTo("example-consumer");
          assertThat(properties.deadLetterTopic()).isEqualTo("cryptshare.example-consumer.dlt");
          assertThat(properties.dedupWindow()).isEqualTo(100_000);
          assertThat(properties.retry().maxRetries()).isEqualTo(3);
          assertThat(properties.retry().initialInterval()).isEqualTo(Duration.ofSeconds(1));
        });
  }

  @Test
  void refuses_to_dead_letter_onto_the_events_topic() {
    runner
        .withPropertyValues("example-consumer.dead-letter-topic=cryptshare.transfer.events")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("dead-letter-topic must differ from topic"));
  }

  @Test
  void refuses_an_empty_dedup_window() {
    runner
        .withPropertyValues("example-consumer.dedup-window=0")
        .run(context -> assertThat(context).hasFailed());
  }
}

package io.github.cspipeline.poller.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.Topics;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class PollerPropertiesTest {

  private static final String CLIENT_ID = "TestClientId" + "0123456789".repeat(5);

  @EnableConfigurationProperties(PollerProperties.class)
  static class PropertiesOnly {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

  @Test
  void runs_with_a_server_and_nothing_else_on_documented_defaults() {
    runner
        .withPropertyValues("cryptshare.servers.default.base-url=http://localhost:8090")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              var properties = context.getBean(PollerProperties.class);
              assertThat(properties.servers().get("default").baseUrl())
                  .isEqualTo(URI.create("http://localhost:8090"));
              var poller = properties.poller();
              assertThat(poller.topics().events()).isEqualTo(Topics.TRANSFER_EVENTS);
              assertThat(poller.topics().deadLetters())
                  .isEqualTo(PollerProperties.DEAD_LETTERS_TOPIC);
              assertThat(poller.firstPollDelay()).isEqualTo(Duration.ofSeconds(1));
              assertThat(poller.backoffMultiplier()).isEqualTo(2.0);
              assertThat(poller.backoffMax()).isEqualTo(Duration.ofSeconds(30));
              assertThat(poller.jitter()).isEqualTo(0.2);
              assertThat(poller.watchDeadline()).isEqualTo(Duration.ofHours(24));
              assertThat(poller.notFoundLimit()).isEqualTo(5);
              assertThat(poller.maxConcurrentPollsPerServer()).isEqualTo(8);
              assertThat(poller.tick()).isEqualTo(Duration.ofMillis(100));
              assertThat(poller.unknownServerGrace()).isEqualTo(Duration.ofMinutes(10));
              assertThat(poller.journalLinger()).isEqualTo(Duration.ofMillis(100));
            });
  }

  @Test
  void binds_timing_overrides_in_kebab_case() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.servers.default.client-id=" + CLIENT_ID,
            "cryptshare.poller.first-poll-delay=50ms",
            "cryptshare.poller.backoff-max=200ms",
            "cryptshare.poller.watch-deadline=2m",
            "cryptshare.poller.max-concurrent-polls-per-server=2",
            "cryptshare.poller.topics.dead-letters=my.dlt")
        .run(
            context -> {
              var poller = context.getBean(PollerProperties.class).poller();
              assertThat(poller.firstPollDelay()).isEqualTo(Duration.ofMillis(50));
              assertThat(poller.backoffMax()).isEqualTo(Duration.ofMillis(200));
              assertThat(poller.watchDeadline()).isEqualTo(Duration.ofMinutes(2));
              assertThat(poller.maxConcurrentPollsPerServer()).isEqualTo(2);
              assertThat(poller.topics().deadLetters()).isEqualTo("my.dlt");
              assertThat(poller.topics().events()).isEqualTo(Topics.TRANSFER_EVENTS);
            });
  }

  @Test
  void refuses_to_start_without_any_server() {
    runner.run(context -> assertThat(context).hasFailed());
  }

  @Test
  void refuses_a_client_id_that_is_not_fifty_alphanumerics() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.servers.default.client-id=short")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void refuses_a_jitter_above_one() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.poller.jitter=1.5")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void refuses_an_unknown_server_grace_of_zero() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.poller.unknown-server-grace=0s")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void accepts_a_journal_linger_of_zero_and_refuses_one_above_a_second() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.poller.journal-linger=0s")
        .run(
            context ->
                assertThat(context.getBean(PollerProperties.class).poller().journalLinger())
                    .isZero());
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.poller.journal-linger=2s")
        .run(context -> assertThat(context).hasFailed());
  }
}

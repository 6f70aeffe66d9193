package io.github.cspipeline.worker.config;

import static io.github.cspipeline.worker.WorkerFixtures.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

class WorkerPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(WorkerProperties.class)
  static class PropertiesOnly {}

  /** The worker's properties, bound and validated as in the application, and nothing else. */
  static ApplicationContextRunner propertiesRunner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ConfigurationPropertiesAutoConfiguration.class, ValidationAutoConfiguration.class))
        .withUserConfiguration(PropertiesOnly.class);
  }

  final ApplicationContextRunner runner = propertiesRunner();

  @Test
  void the_contract_keys_alone_are_enough_and_everything_else_has_defaults() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.servers.default.client-id=" + CLIENT_ID)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              var properties = context.getBean(WorkerProperties.class);
              var server = properties.servers().get("default");
              assertThat(server.baseUrl()).isEqualTo(URI.create("http://localhost:8090"));
              assertThat(server.clientId()).isEqualTo(CLIENT_ID);
              var worker = properties.worker();
              assertThat(worker.groupId()).isEqualTo("transfer-worker");
              assertThat(worker.concurrency()).isEqualTo(1);
              assertThat(worker.maxPollRecords()).isEqualTo(50);
              assertThat(worker.topics().commands()).isEqualTo("cryptshare.finalize.commands");
              assertThat(worker.topics().events()).isEqualTo("cryptshare.transfer.events");
              assertThat(worker.topics().deadLetters()).isEqualTo("cryptshare.transfer-worker.dlt");
              assertThat(worker.topics().eventPartitions()).isEqualTo(6);
              assertThat(worker.topics().deadLetterPartitions()).isEqualTo(1);
              assertThat(worker.topics().replicationFactor()).isEqualTo((short) 1);
              assertThat(worker.maxPending()).isEqualTo(1000);
              assertThat(worker.credentialKeys()).isEmpty();
              assertThat(worker.topics().state()).isEqualTo("cryptshare.transfer-worker.state");
              assertThat(worker.topics().statePartitions()).isEqualTo(6);
              assertThat(worker.topics().stateRetention()).isEqualTo(Duration.ofDays(14));
              var settings = properties.settingsOf("default");
              assertThat(settings).isEqualTo(WorkerProperties.ServerSettings.defaults());
              assertThat(settings.rateLimit()).isEqualTo(20.0);
              assertThat(settings.maxConcurrentCalls()).isEqualTo(10);
              assertThat(settings.maxWait()).isEqualTo(Duration.ofSeconds(30));
              assertThat(settings.retry().budget()).isEqualTo(Duration.ofMinutes(10));
              assertThat(settings.retry().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
              assertThat(settings.retry().maxBackoff()).isEqualTo(Duration.ofMinutes(1));
              assertThat(settings.retry().multiplier()).isEqualTo(2.0);
              var breaker = settings.circuitBreaker();
              assertThat(breaker.failureRateThreshold()).isEqualTo(50f);
              assertThat(breaker.slidingWindowSize()).isEqualTo(20);
              assertThat(breaker.minimumNumberOfCalls()).isEqualTo(10);
              assertThat(breaker.waitInOpenState()).isEqualTo(Duration.ofSeconds(30));
              assertThat(breaker.callsInHalfOpenState()).isEqualTo(3);
            });
  }

  @Test
  void resilience_settings_are_configured_per_server_and_the_rest_keep_their_defaults() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.servers.default.client-id=" + CLIENT_ID,
            "cryptshare.servers.other.base-url=http://localhost:8091",
            "cryptshare.servers.other.client-id=" + CLIENT_ID,
            "cryptshare.worker.servers.other.rate-limit=5",
            "cryptshare.worker.servers.other.retry.budget=30s",
            "cryptshare.worker.servers.other.circuit-breaker.wait-in-open-state=5s",
            "cryptshare.worker.credential-keys.k1=" + "A".repeat(43) + "=")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              var properties = context.getBean(WorkerProperties.class);
              var other = properties.settingsOf("other");
              assertThat(other.rateLimit()).isEqualTo(5.0);
              assertThat(other.retry().budget()).isEqualTo(Duration.ofSeconds(30));
              assertThat(other.retry().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
              assertThat(other.circuitBreaker().waitInOpenState()).isEqualTo(Duration.ofSeconds(5));
              assertThat(other.circuitBreaker().slidingWindowSize()).isEqualTo(20);
              assertThat(properties.settingsOf("default"))
                  .isEqualTo(WorkerProperties.ServerSettings.defaults());
              assertThat(properties.worker().credentialKeys()).containsOnlyKeys("k1");
              assertThat(properties.worker().toString()).doesNotContain("AAAA");
            });
  }

  @Test
  void settings_for_a_server_that_is_not_configured_are_refused() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.servers.default.client-id=" + CLIENT_ID,
            "cryptshare.worker.servers.defualt.rate-limit=5")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("must be a configured cryptshare.servers"));
  }

  @Test
  void a_server_without_client_id_is_refused_at_start_up() {
    runner
        .withPropertyValues("cryptshare.servers.default.base-url=http://localhost:8090")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("needs a client-id"));
  }

  @Test
  void a_malformed_client_id_is_refused_without_being_echoed() {
    runner
        .withPropertyValues(
            "cryptshare.servers.default.base-url=http://localhost:8090",
            "cryptshare.servers.default.client-id=short-secret-value")
        .run(
            context -> {
              assertThat(context).hasFailed();
              var failure = context.getStartupFailure();
              assertThat(failure).rootCause().hasMessageContaining("50-4000 alphanumerics");
              for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("short-secret-value");
              }
            });
  }

  @Test
  void a_worker_without_servers_is_refused() {
    runner.run(context -> assertThat(context).hasFailed());
  }
}

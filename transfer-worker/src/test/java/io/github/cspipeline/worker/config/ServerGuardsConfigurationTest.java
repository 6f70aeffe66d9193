package io.github.cspipeline.worker.config;

import static io.github.cspipeline.worker.WorkerFixtures.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.cryptshare.budget.RequestBudgets;
import io.github.cspipeline.worker.resilience.ServerGuards;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ServerGuardsConfigurationTest {

  final ApplicationContextRunner runner =
      WorkerPropertiesTest.propertiesRunner()
          // The starter's registries, as the application has them.
          .withBean(CircuitBreakerRegistry.class, CircuitBreakerRegistry::ofDefaults)
          .withBean(BulkheadRegistry.class, BulkheadRegistry::ofDefaults)
          .withBean(RetryRegistry.class, RetryRegistry::ofDefaults)
          .withBean(Clock.class, Clock::systemUTC)
          .withUserConfiguration(ServerGuardsConfiguration.class)
          .withPropertyValues(
              "cryptshare.servers.one.base-url=https://cs.example.com",
              "cryptshare.servers.one.client-id=" + CLIENT_ID,
              "cryptshare.servers.alias.base-url=https://CS.example.com:443/other",
              "cryptshare.servers.alias.client-id=" + CLIENT_ID,
              "cryptshare.servers.two.base-url=https://two.example.com",
              "cryptshare.servers.two.client-id=" + CLIENT_ID);

  @Test
  void servers_on_one_origin_share_one_budget_with_the_strictest_settings() {
    runner
        .withPropertyValues(
            "cryptshare.worker.servers.one.rate-limit=5",
            "cryptshare.worker.servers.one.max-concurrent-calls=4",
            "cryptshare.worker.servers.alias.rate-limit=0",
            "cryptshare.worker.servers.alias.max-wait=2s",
            "cryptshare.worker.servers.two.rate-limit=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              var guards = context.getBean(ServerGuards.class);
              var budgets = context.getBean(RequestBudgets.class);
              var shared = guards.get("one").budget();

              assertThat(guards.get("alias").budget()).isSameAs(shared).isSameAs(budgets.of("one"));
              assertThat(shared.rate()).isNotNull();
              assertThat(shared.rate().perSecond()).isEqualTo(5.0);
              var bulkhead = shared.concurrency().getBulkheadConfig();
              assertThat(bulkhead.getMaxConcurrentCalls()).isEqualTo(4);
              assertThat(bulkhead.getMaxWaitDuration()).isEqualTo(Duration.ofSeconds(2));
              assertThat(shared.concurrency().getName()).isEqualTo("one");
              assertThat(context.getBean(BulkheadRegistry.class).find("one")).isPresent();

              var own = guards.get("two").budget();
              assertThat(own).isNotSameAs(shared);
              assertThat(own.rate()).as("0 = no limit").isNull();
              assertThat(own.concurrency().getBulkheadConfig().getMaxConcurrentCalls())
                  .isEqualTo(10);
              assertThat(guards.get("two").circuitBreaker().getName()).isEqualTo("two");
            });
  }
}

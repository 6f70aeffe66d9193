package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.cryptshare.budget.RequestBudgets;
import io.github.cspipeline.cryptshare.budget.RequestRate;
import io.github.cspipeline.worker.config.WorkerProperties.ServerSettings;
import io.github.cspipeline.worker.resilience.CircuitsHealthIndicator;
import io.github.cspipeline.worker.resilience.RetryBackoff;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.cspipeline.worker.resilience.ServerGuards;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The guard of each Cryptshare server: resilience4j instances kept in the registries of
 * resilience4j's Spring Boot starter (so its metrics and actuator endpoints show them), and the
 * request budget of the server's origin (ADR 032).
 */
@Configuration(proxyBeanMethods = false)
public class ServerGuardsConfiguration {

  /**
   * One budget per origin: server ids on one origin share the server's capacity, with the strictest
   * of their settings. Its bulkhead is named after the origin's first server id.
   */
  @Bean
  RequestBudgets requestBudgets(WorkerProperties properties, BulkheadRegistry bulkheads) {
    var baseUrls = new LinkedHashMap<String, URI>();
    properties.servers().forEach((id, server) -> baseUrls.put(id, server.baseUrl()));
    return new RequestBudgets(
        baseUrls,
        servers -> {
          var settings = servers.stream().map(properties::settingsOf).toList();
          var rate =
              settings.stream()
                  .mapToDouble(ServerSettings::rateLimit)
                  .filter(r -> r > 0)
                  .min()
                  .stream()
                  .mapToObj(RequestRate::of)
                  .findFirst()
                  .orElse(null);
          var bulkhead =
              bulkheads.bulkhead(
                  servers.getFirst(),
                  BulkheadConfig.custom()
                      .maxConcurrentCalls(
                          settings.stream()
                              .mapToInt(ServerSettings::maxConcurrentCalls)
                              .min()
                              .orElseThrow())
                      .maxWaitDuration(
                          settings.stream()
                              .map(ServerSettings::maxWait)
                              .min(Duration::compareTo)
                              .orElseThrow())
                      .build());
          return new RequestBudget(rate, bulkhead);
        });
  }

  @Bean
  ServerGuards serverGuards(
      WorkerProperties properties,
      RequestBudgets budgets,
      CircuitBreakerRegistry circuitBreakers,
      RetryRegistry retries,
      Clock clock) {
    var guards = new LinkedHashMap<String, ServerGuard>();
    for (var server : properties.servers().keySet()) {
      var settings = properties.settingsOf(server);
      var cb = settings.circuitBreaker();
      var circuitBreaker =
          circuitBreakers.circuitBreaker(
              server,
              CircuitBreakerConfig.custom()
                  .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                  .slidingWindowSize(cb.slidingWindowSize())
                  .minimumNumberOfCalls(cb.minimumNumberOfCalls())
                  .failureRateThreshold(cb.failureRateThreshold())
                  .waitDurationInOpenState(cb.waitInOpenState())
                  .permittedNumberOfCallsInHalfOpenState(cb.callsInHalfOpenState())
                  .automaticTransitionFromOpenToHalfOpenEnabled(true)
                  .build());
      var retry = settings.retry();
      var backoff =
          new RetryBackoff(retry.initialBackoff(), retry.maxBackoff(), retry.multiplier());
      var retryInstance =
          retries.retry(
              server,
              RetryConfig.custom()
                  // The time budget ends the retries, not a count.
                  .maxAttempts(Integer.MAX_VALUE)
                  .intervalBiFunction(backoff.asIntervalFunction())
                  .build());
      guards.put(
          server,
          new ServerGuard(server, circuitBreaker, budgets.of(server), retryInstance, clock));
    }
    return new ServerGuards(guards);
  }

  /**
   * The circuit of each server as one number, which the alert rules and the dashboard use (the
   * starter's {@code resilience4j.circuitbreaker.state} is one 0/1 series per state).
   */
  @Bean
  MeterBinder circuitStateGauges(ServerGuards serverGuards) {
    return registry ->
        serverGuards
            .byServer()
            .forEach(
                (server, guard) ->
                    Gauge.builder(
                            "cryptshare.worker.circuit.state",
                            guard,
                            g -> circuitStateValue(g.circuitBreaker().getState()))
                        .description("Circuit of the server: 0 closed, 1 half-open, 2 open")
                        .tag("server", server)
                        .register(registry));
  }

  static double circuitStateValue(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED, DISABLED, METRICS_ONLY -> 0;
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
    };
  }

  @Bean
  CircuitsHealthIndicator cryptshareHealthIndicator(ServerGuards serverGuards) {
    return new CircuitsHealthIndicator(List.copyOf(serverGuards.all()));
  }
}

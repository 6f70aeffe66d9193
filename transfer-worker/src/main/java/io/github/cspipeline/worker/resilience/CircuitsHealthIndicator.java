package io.github.cspipeline.worker.resilience;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Shows each Cryptshare server's circuit on {@code /actuator/health} (component {@code
 * cryptshare}). Always {@code UP}: an open circuit is the remote server's trouble, which restarting
 * this instance would not cure, so it must not fail liveness or readiness probes.
 */
public final class CircuitsHealthIndicator implements HealthIndicator {

  private final List<ServerGuard> guards;

  public CircuitsHealthIndicator(List<ServerGuard> guards) {
    this.guards = List.copyOf(guards);
  }

  @Override
  public Health health() {
    var health = Health.up();
    for (var guard : guards) {
      var breaker = guard.circuitBreaker();
      var metrics = breaker.getMetrics();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("circuit", breaker.getState().name());
      details.put("failureRate", metrics.getFailureRate());
      details.put("bufferedCalls", metrics.getNumberOfBufferedCalls());
      details.put("failedCalls", metrics.getNumberOfFailedCalls());
      details.put("notPermittedCalls", metrics.getNumberOfNotPermittedCalls());
      health.withDetail(guard.server(), details);
    }
    return health.build();
  }
}

package io.github.cspipeline.model;

import java.util.HashMap;
import java.util.Map;

/**
 * The Spring Boot settings the gateway, the worker and the poller share, as plain property names
 * and values (no Spring here): each application adds its own and gives the result to its builder as
 * Boot's default properties, the lowest precedence (ADR 031).
 */
public final class ServiceDefaults {

  private ServiceDefaults() {}

  /**
   * The shared settings plus {@code own} (which wins on the same key).
   *
   * @param application {@code spring.application.name}
   * @param managementPort actuator's own port (ADR 026): probes and Prometheus need no credential
   *     there, and nothing of actuator is served on an API port
   */
  public static Map<String, Object> of(
      String application, int managementPort, Map<String, Object> own) {
    var defaults = new HashMap<String, Object>();
    defaults.put("spring.application.name", application);
    defaults.put("management.server.port", String.valueOf(managementPort));
    defaults.put("management.endpoints.web.exposure.include", "health,info,prometheus,metrics");
    // Liveness and readiness groups on every platform, not only where Boot detects Kubernetes.
    defaults.put("management.endpoint.health.probes.enabled", "true");
    // One trace in ten is recorded where a service starts one; every trace is propagated all the
    // same (ADR 020).
    defaults.put("management.tracing.sampling.probability", "0.1");
    defaults.putAll(own);
    return Map.copyOf(defaults);
  }
}

package io.github.cspipeline.gateway.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * {@code cryptshare.gateway.ready}: 1 while this instance's readiness health group is UP (what the
 * readiness probe sees: Kafka answers and the topics are read up to where they were at start), else
 * 0. Prometheus cannot call the probe, so the "no ready gateway" alert counts this instead.
 * Evaluated at each scrape.
 */
@Component
class ReadinessMetric {

  ReadinessMetric(MeterRegistry meters, ObjectProvider<HealthEndpoint> health) {
    Gauge.builder("cryptshare.gateway.ready", health, ReadinessMetric::ready)
        .description("1 while this instance is ready (readiness health group UP), else 0")
        .strongReference(true)
        .register(meters);
  }

  private static double ready(ObjectProvider<HealthEndpoint> health) {
    var endpoint = health.getIfAvailable();
    var readiness = endpoint == null ? null : endpoint.healthForPath("readiness");
    return readiness != null && Status.UP.equals(readiness.getStatus()) ? 1 : 0;
  }
}

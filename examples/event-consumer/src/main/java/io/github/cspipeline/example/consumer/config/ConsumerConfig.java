package io.github.cspipeline.example.consumer.config;

import io.github.cspipeline.example.consumer.event.ConsumerMetrics;
import io.github.cspipeline.example.consumer.event.HandledEventIds;
import io.github.cspipeline.example.consumer.event.LoggingTransferEventHandler;
import io.github.cspipeline.example.consumer.event.TransferEventHandler;
import io.github.cspipeline.example.consumer.event.TransferEventListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import tools.jackson.databind.json.JsonMapper;

/** The consumer's parts; the Kafka wiring is in {@link KafkaConfig}. */
@Configuration(proxyBeanMethods = false)
class ConsumerConfig {

  @Bean
  HandledEventIds handledEventIds(ConsumerProperties properties) {
    return new HandledEventIds(properties.dedupWindow());
  }

  @Bean
  ConsumerMetrics consumerMetrics(MeterRegistry registry) {
    return new ConsumerMetrics(registry);
  }

  /** The handler is a {@link TransferEventHandler} bean of yours, else the logging one. */
  @Bean
  TransferEventListener transferEventListener(
      ObjectProvider<TransferEventHandler> handler,
      HandledEventIds handledIds,
      ConsumerMetrics metrics,
      JsonMapper json,
      ConsumerProperties properties) {
    return new TransferEventListener(
        handler.getIfAvailable(LoggingTransferEventHandler::new),
        handledIds,
        metrics,
        json,
        properties.topic());
  }

  /**
   * {@code transferEvents} in {@code /actuator/health}: down when the listener has stopped (it does
   * not stop for a bad record, only on a fatal consumer error such as failed authentication).
   */
  @Bean
  HealthIndicator transferEventsHealthIndicator(KafkaListenerEndpointRegistry registry) {
    return () -> {
      var container = registry.getListenerContainer(TransferEventListener.ID);
      if (container == null || !container.isRunning()) {
        return Health.down().withDetail("listener", "stopped").build();
      }
      var partitions = container.getAssignedPartitions();
      return Health.up()
          .withDetail("assignedPartitions", partitions == null ? 0 : partitions.size())
          .build();
    };
  }
}

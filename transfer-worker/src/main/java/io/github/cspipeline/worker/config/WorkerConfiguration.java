package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.worker.finalize.BatchFinalizer;
import io.github.cspipeline.worker.finalize.CommandValidator;
import io.github.cspipeline.worker.finalize.DecidedEvents;
import io.github.cspipeline.worker.finalize.FinalizeCommandListener;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.cspipeline.worker.finalize.Finalizer;
import io.github.cspipeline.worker.finalize.RetryBackoff;
import io.github.cspipeline.worker.finalize.TransferEventPublisher;
import io.github.cspipeline.worker.finalize.WorkerShutdown;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.client.RestClient;

/** The worker's own beans: Cryptshare clients and the finalize pipeline. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerConfiguration {

  /** How many decided events each instance remembers for redeliveries. */
  private static final int DECIDED_EVENTS = 10_000;

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  CryptshareClients cryptshareClients(
      WorkerProperties properties, RestClient.Builder restClientBuilder, Clock clock) {
    return new CryptshareClients(properties.servers(), restClientBuilder, clock);
  }

  @Bean
  FinalizeMetrics finalizeMetrics(MeterRegistry registry) {
    return new FinalizeMetrics(registry);
  }

  @Bean
  WorkerShutdown workerShutdown() {
    return new WorkerShutdown();
  }

  @Bean
  Finalizer finalizer(
      WorkerProperties properties,
      CryptshareClients clients,
      WorkerShutdown shutdown,
      Clock clock,
      FinalizeMetrics metrics) {
    var retry = properties.worker().retry();
    return new Finalizer(
        clients::get,
        new RetryBackoff(retry.initialBackoff(), retry.maxBackoff(), retry.multiplier()),
        retry.budget(),
        shutdown,
        clock,
        metrics);
  }

  @Bean
  TransferEventPublisher transferEventPublisher(
      KafkaTemplate<String, Object> kafkaTemplate, WorkerProperties properties) {
    return new TransferEventPublisher(kafkaTemplate, properties.worker().topics().events());
  }

  @Bean
  BatchFinalizer batchFinalizer(
      Finalizer finalizer,
      TransferEventPublisher publisher,
      WorkerShutdown shutdown,
      FinalizeMetrics metrics,
      Clock clock) {
    return new BatchFinalizer(
        finalizer, publisher, new DecidedEvents(DECIDED_EVENTS), shutdown, metrics, clock);
  }

  @Bean
  FinalizeCommandListener finalizeCommandListener(
      BatchFinalizer batchFinalizer, CryptshareClients clients, WorkerProperties properties) {
    var worker = properties.worker();
    return new FinalizeCommandListener(
        batchFinalizer,
        new CommandValidator(clients::contains),
        worker.topics().commands(),
        worker.groupId(),
        worker.retry().initialBackoff());
  }
}

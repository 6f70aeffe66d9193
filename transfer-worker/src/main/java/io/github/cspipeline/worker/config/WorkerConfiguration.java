package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.cryptshare.tracing.CryptshareRequestTracing;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import io.github.cspipeline.worker.finalize.CommandValidator;
import io.github.cspipeline.worker.finalize.FinalizeCommandListener;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.cspipeline.worker.finalize.Finalizer;
import io.github.cspipeline.worker.finalize.Pauser;
import io.github.cspipeline.worker.finalize.TransactionalWriter;
import io.github.cspipeline.worker.finalize.TransferEventPublisher;
import io.github.cspipeline.worker.finalize.TransferWork;
import io.github.cspipeline.worker.resilience.ConsumptionControl;
import io.github.cspipeline.worker.resilience.ServerGuards;
import io.github.cspipeline.worker.state.ProgressRestorer;
import io.github.cspipeline.worker.state.StateMetrics;
import io.github.cspipeline.worker.state.StateRecords;
import io.github.cspipeline.worker.state.TransferBook;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.cspipeline.worker.tracing.TransferTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;

/**
 * The worker's own beans: Cryptshare clients and the finalize pipeline; the servers' guards are
 * built in {@link ServerGuardsConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerConfiguration {

  // A restore of the state topic may have to wait for a crashed instance's open transaction to
  // be aborted (KafkaConfiguration.TRANSACTION_TIMEOUT) before it sees everything committed.
  private static final Duration RESTORE_MAX_WAIT = Duration.ofMinutes(2);

  // Beyond the longest request: a revocation waits for requests in flight and their publication.
  private static final Duration REVOKE_GRACE_BEYOND_TIMEOUTS = Duration.ofSeconds(15);

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  CryptshareClients cryptshareClients(
      WorkerProperties properties,
      ObjectProvider<Tracer> tracer,
      Clock clock,
      ServerGuards serverGuards) {
    // No per-request observation: traceparent on every request, a span only when sampled.
    var requestTracing = new CryptshareRequestTracing(tracer.getIfAvailable(() -> Tracer.NOOP));
    return new CryptshareClients(properties.servers(), requestTracing, clock, serverGuards::get);
  }

  @Bean
  FinalizeMetrics finalizeMetrics(MeterRegistry registry, ServerGuards serverGuards) {
    return new FinalizeMetrics(registry, serverGuards.byServer()::containsKey);
  }

  @Bean
  PassThroughCredentials passThroughCredentials(WorkerProperties properties) {
    return new PassThroughCredentials(properties.worker().credentialKeys());
  }

  @Bean
  Finalizer finalizer(
      CryptshareClients clients,
      ServerGuards serverGuards,
      PassThroughCredentials credentials,
      Clock clock,
      FinalizeMetrics metrics) {
    return new Finalizer(
        clients::get,
        serverGuards::get,
        clients::contains,
        credentials,
        Pauser.SLEEP,
        clock,
        metrics);
  }

  /**
   * The state topic is created when missing, like the worker's other topics, unless {@code
   * spring.kafka.admin.auto-create=false}: where a platform manages topics (Strimzi {@code
   * KafkaTopic}, ADR 026), the worker creates none and waits for the state topic, retrying the
   * restore.
   */
  @Bean
  ProgressRestorer progressRestorer(WorkerProperties properties, KafkaProperties kafka) {
    var topics = properties.worker().topics();
    return new ProgressRestorer(
        topics.state(),
        kafka::buildConsumerProperties,
        RESTORE_MAX_WAIT,
        topics.statePartitions(),
        kafka.getAdmin().isAutoCreate() ? KafkaConfiguration.stateTopic(topics) : null);
  }

  @Bean
  StateRecords stateRecords(WorkerProperties properties, ProgressRestorer restorer) {
    return new StateRecords(properties.worker().topics().state(), restorer);
  }

  /**
   * Writes decisions; after a failed transaction it reads the state topic to see which decisions
   * were committed after all, so none is published twice.
   */
  @Bean
  TransactionalWriter transactionalWriter(
      KafkaTemplate<String, Object> kafkaTemplate,
      ProgressRestorer restorer,
      StateMetrics stateMetrics) {
    return new TransactionalWriter(
        kafkaTemplate,
        tags -> {
          var decided = tags.stream().map(TransferProgress.class::cast).toList();
          try {
            Set<Object> committed = new HashSet<>(restorer.committed(decided));
            stateMetrics.read("verify", "ok");
            return committed;
          } catch (RuntimeException e) {
            stateMetrics.read("verify", "failed");
            throw e;
          }
        });
  }

  @Bean
  StateMetrics stateMetrics(MeterRegistry registry) {
    return new StateMetrics(registry);
  }

  @Bean
  TransferEventPublisher transferEventPublisher(
      TransactionalWriter writer,
      StateRecords stateRecords,
      WorkerProperties properties,
      Clock clock) {
    return new TransferEventPublisher(
        writer, stateRecords, properties.worker().topics().events(), clock);
  }

  /** The worker's spans; without a tracer (tracing off) records keep the command's context. */
  @Bean
  TransferTracing transferTracing(
      ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
    return new TransferTracing(
        tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
  }

  @Bean
  TransferWork transferWork(
      ProgressRestorer restorer,
      StateRecords stateRecords,
      Finalizer finalizer,
      TransferEventPublisher publisher,
      TransferTracing tracing,
      FinalizeMetrics metrics,
      Clock clock,
      WorkerProperties properties,
      StateMetrics stateMetrics) {
    var longestRequest =
        properties.servers().values().stream()
            .map(s -> s.connectTimeout().plus(s.readTimeout()))
            .max(Duration::compareTo)
            .orElse(Duration.ZERO);
    var worker = properties.worker();
    var work =
        new TransferWork(
            new TransferBook(worker.decidedMemory(), worker.maxDecided()),
            restorer,
            stateRecords,
            finalizer,
            publisher,
            tracing,
            metrics,
            clock,
            properties::budgetOf,
            properties.worker().topics().commands(),
            longestRequest.plus(REVOKE_GRACE_BEYOND_TIMEOUTS),
            stateMetrics,
            publisher::reannouncement,
            worker.reannounceAfter());
    stateMetrics.gauges(work::remembered);
    return work;
  }

  /** The command container; see {@link FinalizeCommandListener} for why it is not annotated. */
  @Bean(name = FinalizeCommandListener.ID)
  ConcurrentMessageListenerContainer<Object, Object> finalizeCommandContainer(
      ConcurrentKafkaListenerContainerFactory<Object, Object> factory,
      FinalizeCommandListener listener) {
    var container = factory.createContainer(listener.topic());
    container.getContainerProperties().setGroupId(listener.groupId());
    container.setupMessageListener(listener);
    return container;
  }

  @Bean
  ConsumptionControl consumptionControl(
      ConcurrentMessageListenerContainer<Object, Object> finalizeCommandContainer,
      ServerGuards serverGuards,
      TransferWork work,
      WorkerProperties properties,
      FinalizeMetrics metrics) {
    var control =
        new ConsumptionControl(
            () -> finalizeCommandContainer,
            serverGuards.all(),
            work::pending,
            properties.worker().maxPending());
    work.onChange(control::reevaluate);
    metrics.gauges(work::pending, control::paused);
    return control;
  }

  @Bean
  FinalizeCommandListener finalizeCommandListener(
      TransferWork work,
      PassThroughCredentials credentials,
      KafkaTemplate<String, Object> kafkaTemplate,
      ConsumerAwareRecordRecoverer deadLetters,
      WorkerProperties properties) {
    var worker = properties.worker();
    return new FinalizeCommandListener(
        work,
        new CommandValidator(credentials),
        kafkaTemplate,
        deadLetters,
        worker.topics().commands(),
        worker.groupId());
  }
}

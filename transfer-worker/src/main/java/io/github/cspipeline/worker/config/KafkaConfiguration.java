package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.cspipeline.worker.finalize.InvalidCommandException;
import io.github.cspipeline.worker.finalize.TransferWork;
import io.github.cspipeline.worker.state.TransferProgress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultAfterRollbackProcessor;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.kafka.transaction.KafkaTransactionManager;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Kafka wiring. Serialization, transactions and error handling are fixed here, in code, so the
 * worker behaves the same whatever configuration files are (or are not) on the class path; Spring
 * Boot's {@code spring.kafka.*} properties still supply connection settings.
 *
 * <p>Every record the worker writes is written in a Kafka transaction: commands are taken in
 * (progress record, dead letters and offsets together) by the listener container's transaction,
 * decisions (event and progress record together) by {@link
 * io.github.cspipeline.worker.finalize.TransactionalWriter}. Consumers read committed records only.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfiguration {

  /**
   * Header of every dead letter: why the worker refused the record, in words. Spring Kafka's {@code
   * kafka_dlt-exception-*} headers are set too.
   */
  public static final String DEAD_LETTER_REASON = "cryptshare_dlt-reason";

  /**
   * How long the broker keeps a transaction of a vanished instance open before aborting it; until
   * then the state topic cannot be read completely. The worker's transactions take milliseconds.
   */
  static final int TRANSACTION_TIMEOUT_MS = 15_000;

  /** How long the group waits for a silent member before giving its partitions to others. */
  static final int SESSION_TIMEOUT_MS = 10_000;

  @Bean
  DefaultKafkaConsumerFactoryCustomizer finalizeCommandConsumer(WorkerProperties properties) {
    var worker = properties.worker();
    return factory -> {
      @SuppressWarnings("unchecked")
      var commands = (DefaultKafkaConsumerFactory<String, FinalizeCommand>) factory;
      commands.setKeyDeserializerSupplier(StringDeserializer::new);
      // Unreadable values reach the listener as null with the failure in a header, so they can
      // be dead-lettered instead of failing the poll; no type headers are trusted.
      commands.setValueDeserializerSupplier(
          () ->
              new ErrorHandlingDeserializer<>(
                  new JacksonJsonDeserializer<>(
                      FinalizeCommand.class, WireFormat.mapper(), false)));
      commands.updateConfigs(
          Map.of(
              // Commands published before the group first joined must not be skipped.
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
              "earliest",
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
              false,
              ConsumerConfig.ISOLATION_LEVEL_CONFIG,
              "read_committed",
              // The gateway owns the commands topic; subscribing must not create it.
              ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
              false,
              ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
              worker.maxPollRecords(),
              // A rebalance moves only the partitions that change owner, so the others' transfers
              // keep running.
              ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
              CooperativeStickyAssignor.class.getName()));
      // A crashed instance's partitions rest until the group notices it is gone: Kafka's default
      // of 45 s would eat most of the 60 s in which transfers must recover after a fault. A
      // heartbeat comes from a thread of its own, so long work never misses it. Settable as
      // spring.kafka.consumer.properties.session.timeout.ms.
      if (!commands
          .getConfigurationProperties()
          .containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
        commands.updateConfigs(
            Map.of(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                SESSION_TIMEOUT_MS,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                SESSION_TIMEOUT_MS / 3));
      }
    };
  }

  @Bean
  DefaultKafkaProducerFactoryCustomizer transferEventProducer() {
    return factory -> {
      @SuppressWarnings("unchecked")
      var events = (DefaultKafkaProducerFactory<String, Object>) factory;
      var json = new JacksonJsonSerializer<>(WireFormat.mapper()).noTypeInfo();
      // Events, progress records and dead letters share the producer: dead letters are either
      // the parsed command or, when it was unreadable, its original bytes.
      Map<Class<?>, Serializer<?>> byType =
          Map.of(
              TransferEvent.class, json,
              TransferProgress.class, json,
              FinalizeCommand.class, json,
              byte[].class, new ByteArraySerializer());
      events.setKeySerializerSupplier(StringSerializer::new);
      events.setValueSerializerSupplier(() -> new DelegatingByTypeSerializer(byType));
      // Unique per process: instances must not fence each other's producers.
      events.setTransactionIdPrefix("transfer-worker-" + UUID.randomUUID() + "-");
      events.updateConfigs(
          Map.of(
              ProducerConfig.ACKS_CONFIG,
              "all",
              ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
              true,
              ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
              TRANSACTION_TIMEOUT_MS));
    };
  }

  @Bean
  KafkaTransactionManager<String, Object> kafkaTransactionManager(
      ProducerFactory<String, Object> producerFactory) {
    var manager = new KafkaTransactionManager<>(producerFactory);
    // The listener starts its transfers after the commit (KafkaTransactionManager defaults to no
    // synchronization).
    manager.setTransactionSynchronization(
        AbstractPlatformTransactionManager.SYNCHRONIZATION_ALWAYS);
    return manager;
  }

  @Bean
  ConcurrentKafkaListenerContainerFactory<Object, Object> kafkaListenerContainerFactory(
      ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
      ConsumerFactory<Object, Object> consumerFactory,
      KafkaTransactionManager<String, Object> transactionManager,
      DefaultAfterRollbackProcessor<Object, Object> afterRollback,
      TransferWork work,
      WorkerProperties properties) {
    var factory = new ConcurrentKafkaListenerContainerFactory<Object, Object>();
    // Applies spring.kafka.listener.*.
    configurer.configure(factory, consumerFactory);
    factory.setBatchListener(true);
    factory.setConcurrency(properties.worker().concurrency());
    var container = factory.getContainerProperties();
    // Intake (progress records, dead letters) and the offsets commit together or not at all.
    container.setKafkaAwareTransactionManager(transactionManager);
    container.setConsumerRebalanceListener(work);
    factory.setAfterRollbackProcessor(afterRollback);
    return factory;
  }

  /**
   * The one error path of the consumer. The listener dead-letters bad records itself (inside the
   * intake transaction), so what reaches this is a failure of Kafka (the transaction could not be
   * committed): nothing is wrong with the records, and they are redelivered after a backoff,
   * indefinitely, never dead-lettered.
   */
  @Bean
  DefaultAfterRollbackProcessor<Object, Object> finalizeAfterRollback() {
    var backOff = new ExponentialBackOff(500, 2.0);
    backOff.setMaxInterval(30_000);
    return new DefaultAfterRollbackProcessor<>(backOff);
  }

  /**
   * Sends a bad record to the dead-letter topic, inside the listener's transaction, with the reason
   * in headers, and counts it.
   */
  @Bean
  ConsumerAwareRecordRecoverer finalizeDeadLetters(
      KafkaTemplate<String, Object> kafkaTemplate,
      WorkerProperties properties,
      CryptshareClients clients,
      FinalizeMetrics metrics) {
    var deadLetters = properties.worker().topics().deadLetters();
    // Partition -1: the dead-letter topic may have fewer partitions than the commands topic.
    var publisher =
        new DeadLetterPublishingRecoverer(
            kafkaTemplate, (record, e) -> new TopicPartition(deadLetters, -1));
    // For unreadable records Spring Kafka reports the bare deserialization failure; this header
    // carries the worker's own explanation for every record.
    publisher.addHeadersFunction(
        (record, e) ->
            new RecordHeaders()
                .add(
                    DEAD_LETTER_REASON,
                    String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8)));
    return (record, consumer, e) -> {
      publisher.accept(record, consumer, reasonOf(e));
      metrics.deadLettered(serverOf(record, clients));
    };
  }

  @Bean
  NewTopic transferEventsTopic(WorkerProperties properties) {
    var topics = properties.worker().topics();
    return TopicBuilder.name(topics.events())
        .partitions(topics.eventPartitions())
        .replicas(topics.replicationFactor())
        .build();
  }

  @Bean
  NewTopic deadLetterTopic(WorkerProperties properties) {
    var topics = properties.worker().topics();
    return TopicBuilder.name(topics.deadLetters())
        .partitions(topics.deadLetterPartitions())
        .replicas(topics.replicationFactor())
        .build();
  }

  /**
   * The worker's progress per transfer: compacted (the latest record per transfer counts), and
   * deleted after the retention so that memory stays bounded. Not a {@code NewTopic} bean: the
   * {@code KafkaAdmin} would add partitions to an existing topic when {@code state-partitions}
   * grew, and transfers would be looked for in the wrong partition; the worker creates the topic
   * itself when it is missing and never changes it (ADR 024).
   */
  static NewTopic stateTopic(WorkerProperties.TopicSettings topics) {
    return TopicBuilder.name(topics.state())
        .partitions(topics.statePartitions())
        .replicas(topics.replicationFactor())
        .config(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE)
        .config(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topics.stateRetention().toMillis()))
        .build();
  }

  /**
   * The most telling exception for the dead-letter headers: the listener's wrappers say nothing
   * about why the record failed.
   */
  static Exception reasonOf(Exception thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof InvalidCommandException invalid) {
        return invalid;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return thrown;
  }

  private static String serverOf(ConsumerRecord<?, ?> record, CryptshareClients clients) {
    return record.value() instanceof FinalizeCommand command && clients.contains(command.server())
        ? command.server()
        : FinalizeMetrics.UNKNOWN_SERVER;
  }
}

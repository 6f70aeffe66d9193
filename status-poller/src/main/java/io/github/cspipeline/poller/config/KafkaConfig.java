package io.github.cspipeline.poller.config;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.InvalidEventException;
import io.github.cspipeline.poller.error.PartitionUnavailableException;
import io.github.cspipeline.poller.error.PublishException;
import io.github.cspipeline.poller.watch.KafkaWatchLoader;
import io.github.cspipeline.poller.watch.TransferEventListener;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.github.cspipeline.poller.watch.WatchJournal;
import io.github.cspipeline.poller.watch.WatchKeeper;
import io.github.cspipeline.poller.watch.WatchPartitions;
import io.github.cspipeline.poller.watch.WatchTopicSetup;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Kafka wiring. Serialization, isolation, assignment, acknowledgement and error handling are fixed
 * here, in code, so that the poller behaves the same with or without a configuration file; only
 * connection settings come from {@code spring.kafka.*}.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfig {

  /** See {@link #watchJournalProducers}. */
  static final int TRANSACTION_TIMEOUT_MS = 15_000;

  private static final String READ_COMMITTED =
      IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT);

  /**
   * Writes dead letters: the original bytes of a record that could not be read, the JSON of one
   * that was read but cannot be acted on. Not transactional: a dead letter concerns no watch.
   */
  @Bean
  KafkaTemplate<String, Object> deadLetterTemplate(KafkaProperties kafka) {
    var json = new JacksonJsonSerializer<Object>(WireFormat.mapper()).noTypeInfo();
    Serializer<Object> value =
        (topic, data) -> data instanceof byte[] raw ? raw : json.serialize(topic, data);
    var config = kafka.buildProducerProperties();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    var factory =
        new DefaultKafkaProducerFactory<String, Object>(config, new StringSerializer(), value);
    return new KafkaTemplate<>(factory);
  }

  /**
   * The one error handler: unreadable and invalid events go to the dead-letter topic at once, with
   * the reason in the {@code kafka_dlt-exception-*} headers; a Kafka transaction that did not
   * commit, or a partition whose watches are still loading, is retried every second for as long as
   * it takes (the event is fine, Kafka is not); anything else is tried three times, then
   * dead-lettered. The consumer carries on with the next record either way.
   */
  @Bean
  CommonErrorHandler errorHandler(
      KafkaTemplate<String, Object> deadLetterTemplate,
      PollerProperties properties,
      MeterRegistry registry) {
    var deadLetters = properties.poller().topics().deadLetters();
    // Partition -1 lets the producer pick one by key: the dead-letter topic need not have as many
    // partitions as the events topic.
    var recoverer =
        new DeadLetterPublishingRecoverer(
            deadLetterTemplate, (record, e) -> new TopicPartition(deadLetters, -1));
    var handler =
        new DefaultErrorHandler(
            new DeadLetters(recoverer, deadLetters, registry), new FixedBackOff(1_000, 2));
    handler.addNotRetryableExceptions(InvalidEventException.class);
    handler.setBackOffFunction(
        (record, e) ->
            DeadLetters.causedBy(e, PublishException.class)
                    || DeadLetters.causedBy(e, PartitionUnavailableException.class)
                ? new FixedBackOff(1_000, FixedBackOff.UNLIMITED_ATTEMPTS)
                : null);
    return handler;
  }

  @Bean
  ConcurrentKafkaListenerContainerFactory<String, TransferEvent> kafkaListenerContainerFactory(
      KafkaProperties kafka,
      CommonErrorHandler errorHandler,
      WatchPartitions watchPartitions,
      PollerProperties properties,
      MeterRegistry registry) {
    var config = kafka.buildConsumerProperties();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.poller().groupId());
    // A new group must see the PROCESSING events published before the poller first started.
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Terminal events of a transaction that did not commit (a fenced instance's) must never end a
    // watch.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, READ_COMMITTED);
    // A rebalance moves only the partitions that change owner; the others keep their watches.
    config.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    // A crashed instance's partitions (and watches) rest until the group notices it is gone:
    // Kafka's default of 45 s would eat most of the 60 s in which transfers must recover after a
    // fault. Heartbeats come from a thread of their own. Settable as
    // spring.kafka.consumer.properties.session.timeout.ms.
    config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_333);
    var factory = new ConcurrentKafkaListenerContainerFactory<String, TransferEvent>();
    var consumers =
        new DefaultKafkaConsumerFactory<>(
            config,
            new StringDeserializer(),
            new ErrorHandlingDeserializer<>(
                new JacksonJsonDeserializer<>(TransferEvent.class, WireFormat.mapper(), false)));
    // Kafka client metrics, as Boot adds them to the factories it creates: the consumer-lag panel
    // and alert read records-lag-max (deploy/grafana, deploy/prometheus).
    consumers.addListener(new MicrometerConsumerListener<>(registry));
    factory.setConsumerFactory(consumers);
    factory.setCommonErrorHandler(errorHandler);
    factory.setBatchListener(true);
    // Offsets are committed only inside the journal's transactions, with the watches they cover.
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
    factory.getContainerProperties().setConsumerRebalanceListener(watchPartitions);
    return factory;
  }

  @Bean(destroyMethod = "close")
  Admin watchTopicAdmin(KafkaAdmin kafkaAdmin) {
    return Admin.create(kafkaAdmin.getConfigurationProperties());
  }

  /**
   * The journal's transactional producers, one per owned events partition.
   *
   * <p>Transaction timeout: a transaction of an instance killed before its commit carries the
   * offsets of its events partition, and the next owner's consumer cannot read that partition's
   * committed offset (read_committed) while it is open. The next owner ends it at once by fencing
   * (see {@link #transferEventContainer}); the timeout bounds whatever might still wait on it, such
   * as an instance configured with another transactional-id prefix: Kafka's default is 60 s, plus
   * the broker's abort check (every 10 s by default). A journal transaction takes milliseconds; 15
   * s, as in the transfer-worker, leaves room for a slow broker. Settable as
   * spring.kafka.producer.properties.transaction.timeout.ms.
   */
  @Bean
  WatchJournal.Producers watchJournalProducers(KafkaProperties kafka) {
    var producerConfig = kafka.buildProducerProperties();
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
    Map<String, Object> base = Map.copyOf(producerConfig);
    return transactionalId -> {
      var config = new java.util.HashMap<>(base);
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
      config.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
      return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    };
  }

  @Bean
  WatchJournal watchJournal(
      KafkaProperties kafka,
      Admin watchTopicAdmin,
      WatchJournal.Producers producers,
      WatchIndex index,
      WatchKeeper keeper,
      PollerProperties properties,
      MeterRegistry registry,
      Clock clock) {
    var topics = properties.poller().topics();
    return new WatchJournal(
        topics.events(),
        topics.watches(),
        properties.poller().transactionalIdPrefix(),
        index,
        keeper,
        producers,
        new KafkaWatchLoader(kafka.buildConsumerProperties()),
        new WatchTopicSetup(
            watchTopicAdmin, topics.events(), topics.watches(), kafka.getAdmin().isAutoCreate()),
        registry,
        clock,
        properties.poller().journalLinger());
  }

  @Bean
  WatchPartitions watchPartitions(WatchJournal journal, PollerProperties properties) {
    return new WatchPartitions(journal, properties.poller().topics().events());
  }

  /**
   * The events container, built here rather than by {@code @KafkaListener}: Spring's listener
   * adapter is {@code ConsumerSeekAware}, and for such a listener the container asks the consumer
   * for the position of every newly assigned partition before it calls the rebalance listener. A
   * position needs the partition's committed offset, which Kafka does not hand out (read_committed)
   * while a killed owner's open transaction holds it; the new owner fences that producer, and so
   * ends the transaction, only in the rebalance listener ({@link WatchPartitions}). The position
   * waited for the broker's transaction timeout, ran into the consumer's 60 s API timeout, the
   * rebalance listener was never called, and the partition's watches were never loaded: those
   * transfers never ended. With a plain listener the rebalance listener runs first.
   */
  @Bean(name = "status-poller-events")
  ConcurrentMessageListenerContainer<String, TransferEvent> transferEventContainer(
      ConcurrentKafkaListenerContainerFactory<String, TransferEvent> factory,
      TransferEventListener listener) {
    var container = factory.createContainer(listener.topic());
    container.setupMessageListener(listener);
    return container;
  }

  @Bean
  TransferEventListener transferEventListener(
      WatchKeeper keeper, WatchJournal journal, PollerProperties properties) {
    return new TransferEventListener(keeper, journal, properties.poller().topics().events());
  }

  /**
   * The poller owns its dead-letter topic; partitions and replicas are the broker's defaults. The
   * events topic belongs to the transfer-worker, its first producer; the watch topic is created
   * when the first events partition is assigned, with as many partitions as the events topic.
   */
  @Bean
  NewTopic deadLetterTopic(PollerProperties properties) {
    return TopicBuilder.name(properties.poller().topics().deadLetters()).build();
  }
}

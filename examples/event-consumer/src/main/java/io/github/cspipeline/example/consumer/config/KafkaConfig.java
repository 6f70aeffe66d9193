package io.github.cspipeline.example.consumer.config;

import io.github.cspipeline.example.consumer.event.CloudEventHeaders;
import io.github.cspipeline.example.consumer.event.ConsumerMetrics;
import io.github.cspipeline.example.consumer.event.ConsumerMetrics.Outcome;
import io.github.cspipeline.example.consumer.event.InvalidEventException;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;

/**
 * Kafka wiring. What the contract asks of a consumer is fixed here in code, not left to
 * configuration: {@code read_committed}, the own group, commits per record, one error handler.
 * Connection settings come from {@code spring.kafka.*}.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

  private static final Logger log = LoggerFactory.getLogger(KafkaConfig.class);

  @Bean
  ConcurrentKafkaListenerContainerFactory<String, byte[]> kafkaListenerContainerFactory(
      KafkaProperties kafka,
      ConsumerProperties properties,
      CommonErrorHandler errorHandler,
      MeterRegistry registry) {
    var config = kafka.buildConsumerProperties();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
    // The poller and the worker write in transactions: events of an aborted one never happened.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new group starts with what the topic still holds, not with what comes after its first
    // start (spring.kafka.consumer.auto-offset-reset=latest if you want that).
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Values stay bytes: no JSON deserializer, and so no ErrorHandlingDeserializer to catch its
    // failures. The listener reads the value only when it handles the record (not for skipped
    // ones), and a dead letter carries the bytes as they came, not this consumer's re-serialized
    // subset of the fields, so that a replay puts the original event back.
    var consumers =
        new DefaultKafkaConsumerFactory<>(
            config, new StringDeserializer(), new ByteArrayDeserializer());
    consumers.addListener(new MicrometerConsumerListener<>(registry));
    var factory = new ConcurrentKafkaListenerContainerFactory<String, byte[]>();
    factory.setConsumerFactory(consumers);
    factory.setConcurrency(properties.concurrency());
    factory.setCommonErrorHandler(errorHandler);
    // Commit after every record: after a restart or a rebalance only the record in flight comes
    // again, which is what the in-memory dedup window cannot cover (HandledEventIds).
    factory.getContainerProperties().setAckMode(AckMode.RECORD);
    return factory;
  }

  /** Writes dead letters: key and value as they were read, not transactional. */
  @Bean
  KafkaTemplate<String, byte[]> deadLetterTemplate(KafkaProperties kafka) {
    var config = kafka.buildProducerProperties();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    return new KafkaTemplate<>(
        new DefaultKafkaProducerFactory<>(
            config, new StringSerializer(), new ByteArraySerializer()));
  }

  /**
   * The one error handler. A failing handler is retried with exponential backoff, then the record
   * goes to the dead-letter topic and the consumer carries on; a record that cannot be read goes
   * there at once. The dead letter keeps the original key, value and headers (so it can be replayed
   * onto the events topic as it was) and adds {@code kafka_dlt-*} headers with the origin and the
   * reason. If writing the dead letter fails, the record is tried again: nothing is skipped
   * unrecorded.
   */
  @Bean
  CommonErrorHandler errorHandler(
      KafkaTemplate<String, byte[]> deadLetterTemplate,
      ConsumerProperties properties,
      ConsumerMetrics metrics) {
    // Partition -1: the producer picks one by key, so the dead-letter topic needs no particular
    // number of partitions.
    var publisher =
        new DeadLetterPublishingRecoverer(
            deadLetterTemplate,
            (record, e) -> new TopicPartition(properties.deadLetterTopic(), -1));
    var retry = properties.retry();
    var backOff = new ExponentialBackOffWithMaxRetries(retry.maxRetries());
    backOff.setInitialInterval(retry.initialInterval().toMillis());
    backOff.setMultiplier(2);
    backOff.setMaxInterval(retry.maxInterval().toMillis());
    var handler =
        new DefaultErrorHandler(
            (record, e) -> {
              var reason = reasonOf(e);
              publisher.accept(record, reason);
              log.warn(
                  "Event of {} at {}-{}@{} could not be handled ({}); it is in {}, carrying on",
                  record.key(),
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  reason.getMessage(),
                  properties.deadLetterTopic());
              metrics.count(Outcome.DEAD_LETTERED, state(record));
            },
            backOff);
    handler.addNotRetryableExceptions(InvalidEventException.class);
    handler.setRetryListeners(
        new RetryListener() {
          @Override
          public void failedDelivery(ConsumerRecord<?, ?> record, Exception e, int attempt) {
            log.warn(
                "Handling the event of {} failed (attempt {} of at most {}): {}",
                record.key(),
                attempt,
                retry.maxRetries() + 1,
                reasonOf(e).toString());
            metrics.count(Outcome.FAILED, state(record));
          }
        });
    return handler;
  }

  /** Created at start if missing, with the broker's default partitions and replication. */
  @Bean
  NewTopic deadLetterTopic(ConsumerProperties properties) {
    return TopicBuilder.name(properties.deadLetterTopic()).build();
  }

  /** The listener's own exception, not the container's wrapper around it. */
  private static Exception reasonOf(Exception e) {
    return e instanceof ListenerExecutionFailedException && e.getCause() instanceof Exception cause
        ? cause
        : e;
  }

  private static @Nullable String state(ConsumerRecord<?, ?> record) {
    return CloudEventHeaders.get(record.headers(), CloudEventHeaders.TRANSFER_STATE);
  }
}

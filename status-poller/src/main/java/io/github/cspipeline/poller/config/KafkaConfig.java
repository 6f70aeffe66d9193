package io.github.cspipeline.poller.config;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.InvalidEventException;
import io.github.cspipeline.poller.publish.EventPublisher;
import io.github.cspipeline.poller.publish.KafkaEventPublisher;
import io.github.cspipeline.poller.watch.TransferEventListener;
import io.github.cspipeline.poller.watch.WatchKeeper;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
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
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Kafka wiring. Serialization and consumer settings are fixed here, in code, so that the poller
 * behaves the same with or without a configuration file; only connection settings come from {@code
 * spring.kafka.*}.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfig {

  /** The poller's consumer group on the transfer events topic. */
  public static final String GROUP_ID = "status-poller";

  @Bean
  KafkaTemplate<String, TransferEvent> eventTemplate(KafkaProperties kafka) {
    var factory =
        new DefaultKafkaProducerFactory<String, TransferEvent>(
            reliableProducer(kafka),
            new StringSerializer(),
            new JacksonJsonSerializer<TransferEvent>(WireFormat.mapper()).noTypeInfo());
    return new KafkaTemplate<>(factory);
  }

  @Bean
  EventPublisher eventPublisher(
      KafkaTemplate<String, TransferEvent> eventTemplate, PollerProperties properties) {
    return new KafkaEventPublisher(eventTemplate, properties.poller().topics().events());
  }

  /**
   * Writes dead letters: the original bytes of a record that could not be read, the JSON of one
   * that was read but cannot be acted on.
   */
  @Bean
  KafkaTemplate<String, Object> deadLetterTemplate(KafkaProperties kafka) {
    var json = new JacksonJsonSerializer<Object>(WireFormat.mapper()).noTypeInfo();
    Serializer<Object> value =
        (topic, data) -> data instanceof byte[] raw ? raw : json.serialize(topic, data);
    var factory =
        new DefaultKafkaProducerFactory<String, Object>(
            reliableProducer(kafka), new StringSerializer(), value);
    return new KafkaTemplate<>(factory);
  }

  /**
   * The one error handler: unreadable and invalid events go to the dead-letter topic at once, with
   * the reason in the {@code kafka_dlt-exception-*} headers; anything else is tried three times
   * first. The consumer carries on with the next record either way.
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
    return handler;
  }

  @Bean
  ConcurrentKafkaListenerContainerFactory<String, TransferEvent> kafkaListenerContainerFactory(
      KafkaProperties kafka, CommonErrorHandler errorHandler) {
    var config = kafka.buildConsumerProperties();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
    // A new group must see the PROCESSING events published before the poller first started.
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    var factory = new ConcurrentKafkaListenerContainerFactory<String, TransferEvent>();
    factory.setConsumerFactory(
        new DefaultKafkaConsumerFactory<>(
            config,
            new StringDeserializer(),
            new ErrorHandlingDeserializer<>(
                new JacksonJsonDeserializer<>(TransferEvent.class, WireFormat.mapper(), false))));
    factory.setCommonErrorHandler(errorHandler);
    return factory;
  }

  @Bean
  TransferEventListener transferEventListener(WatchKeeper keeper, PollerProperties properties) {
    return new TransferEventListener(keeper, properties.poller().topics().events());
  }

  /**
   * The poller owns its dead-letter topic; partitions and replicas are the broker's defaults. The
   * events topic belongs to the transfer-worker, its first producer.
   */
  @Bean
  NewTopic deadLetterTopic(PollerProperties properties) {
    return TopicBuilder.name(properties.poller().topics().deadLetters()).build();
  }

  private static Map<String, Object> reliableProducer(KafkaProperties kafka) {
    var config = kafka.buildProducerProperties();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return config;
  }
}

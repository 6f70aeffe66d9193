package io.github.cspipeline.gateway.config;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
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
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Kafka wiring. Serialization is fixed here, in code, so that the wire format does not depend on
 * which configuration file happens to be on the class path.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfig {

  /** Containers of the status view; every instance reads every partition. */
  public static final String COMMAND_VIEW_FACTORY = "commandViewContainerFactory";

  public static final String EVENT_VIEW_FACTORY = "eventViewContainerFactory";

  @Bean
  KafkaTemplate<String, FinalizeCommand> commandTemplate(
      KafkaProperties kafka, GatewayProperties properties) {
    var config = kafka.buildProducerProperties();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A request must not wait longer than the send timeout, not even for metadata.
    int timeoutMs = (int) properties.gateway().sendTimeout().toMillis();
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 1_000) + 1_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 1_000));
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    var factory =
        new DefaultKafkaProducerFactory<String, FinalizeCommand>(
            config, new StringSerializer(), new JacksonJsonSerializer<>(WireFormat.mapper()));
    return new KafkaTemplate<>(factory);
  }

  @Bean(COMMAND_VIEW_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, FinalizeCommand> commandViewContainerFactory(
      KafkaProperties kafka) {
    return viewContainerFactory(kafka, FinalizeCommand.class);
  }

  @Bean(EVENT_VIEW_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, TransferEvent> eventViewContainerFactory(
      KafkaProperties kafka) {
    return viewContainerFactory(kafka, TransferEvent.class);
  }

  private static <T> ConcurrentKafkaListenerContainerFactory<String, T> viewContainerFactory(
      KafkaProperties kafka, Class<T> type) {
    var config = kafka.buildConsumerProperties();
    // A group of its own per process: each instance must see all partitions, and it rebuilds its
    // view from the start of the topics after a restart.
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "api-gateway-view-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    var factory = new ConcurrentKafkaListenerContainerFactory<String, T>();
    factory.setConsumerFactory(
        new DefaultKafkaConsumerFactory<>(
            config,
            new StringDeserializer(),
            new ErrorHandlingDeserializer<>(
                new JacksonJsonDeserializer<>(type, WireFormat.mapper(), false))));
    // The gateway owns no dead-letter topic: the worker and the poller dead-letter the same poison
    // records. Here a bad record is logged and skipped, never retried.
    factory.setCommonErrorHandler(new DefaultErrorHandler(new FixedBackOff(0, 0)));
    return factory;
  }

  @Bean
  NewTopic commandTopic(GatewayProperties properties) {
    var topics = properties.gateway().topics();
    return TopicBuilder.name(topics.commands())
        .partitions(topics.partitions())
        .replicas(topics.replicas())
        .build();
  }
}

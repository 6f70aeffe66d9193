package io.github.cspipeline.worker.config;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.cspipeline.worker.finalize.InvalidCommandException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
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
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;

/**
 * Kafka wiring. Serialization, acknowledgement and error handling are fixed here, in code, so the
 * worker behaves the same whatever configuration files are (or are not) on the class path; Spring
 * Boot's {@code spring.kafka.*} properties still supply connection settings.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfiguration {

  /**
   * Header of every dead letter: why the worker refused the record, in words. Spring Kafka's {@code
   * kafka_dlt-exception-*} headers are set too.
   */
  public static final String DEAD_LETTER_REASON = "cryptshare_dlt-reason";

  // Beyond the retry budget, a poll must leave room for the calls in flight when the budget runs
  // out (each bounded by the read timeout), a last status check and the publication.
  private static final Duration POLL_GRACE = Duration.ofMinutes(5);
  private static final Duration KAFKA_DEFAULT_POLL_INTERVAL = Duration.ofMinutes(5);

  @Bean
  DefaultKafkaConsumerFactoryCustomizer finalizeCommandConsumer(WorkerProperties properties) {
    var worker = properties.worker();
    var pollInterval = worker.retry().budget().plus(POLL_GRACE);
    if (pollInterval.compareTo(KAFKA_DEFAULT_POLL_INTERVAL) < 0) {
      pollInterval = KAFKA_DEFAULT_POLL_INTERVAL;
    }
    var maxPollIntervalMs = (int) Math.min(Integer.MAX_VALUE, pollInterval.toMillis());
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
              // The gateway owns the commands topic; subscribing must not create it.
              ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
              false,
              ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
              worker.maxPollRecords(),
              // The listener returns only when every command of the poll is decided.
              ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
              maxPollIntervalMs));
    };
  }

  @Bean
  DefaultKafkaProducerFactoryCustomizer transferEventProducer() {
    return factory -> {
      @SuppressWarnings("unchecked")
      var events = (DefaultKafkaProducerFactory<String, Object>) factory;
      var json = new JacksonJsonSerializer<>(WireFormat.mapper()).noTypeInfo();
      // Events and dead letters share the producer: dead letters are either the parsed command
      // or, when it was unreadable, its original bytes.
      Map<Class<?>, Serializer<?>> byType =
          Map.of(
              TransferEvent.class, json,
              FinalizeCommand.class, json,
              byte[].class, new ByteArraySerializer());
      events.setKeySerializerSupplier(StringSerializer::new);
      events.setValueSerializerSupplier(() -> new DelegatingByTypeSerializer(byType));
      events.updateConfigs(
          Map.of(
              ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    };
  }

  @Bean
  ConcurrentKafkaListenerContainerFactory<Object, Object> kafkaListenerContainerFactory(
      ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
      ConsumerFactory<Object, Object> consumerFactory,
      WorkerProperties properties) {
    var factory = new ConcurrentKafkaListenerContainerFactory<Object, Object>();
    // Applies spring.kafka.listener.* and the one CommonErrorHandler bean below.
    configurer.configure(factory, consumerFactory);
    factory.setBatchListener(true);
    factory.setConcurrency(properties.worker().concurrency());
    // The listener commits itself: everything done, or up to the first unfinished command.
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
    return factory;
  }

  /**
   * The one error handler: invalid commands go to the dead-letter topic at once; anything else the
   * listener could not handle is retried a few times, then dead-lettered too, so the partition
   * moves on.
   */
  @Bean
  DefaultErrorHandler finalizeErrorHandler(
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
    ConsumerAwareRecordRecoverer recoverer =
        (record, consumer, e) -> {
          publisher.accept(record, consumer, reasonOf(e));
          metrics.deadLettered(serverOf(record, clients));
        };
    var backOff = new ExponentialBackOffWithMaxRetries(3);
    backOff.setInitialInterval(1_000);
    backOff.setMultiplier(2.0);
    backOff.setMaxInterval(10_000);
    var handler = new DefaultErrorHandler(recoverer, backOff);
    handler.addNotRetryableExceptions(InvalidCommandException.class);
    // The listener already logs every failure with its tracking id; the handler's own stack traces
    // would only repeat them.
    handler.setLogLevel(KafkaException.Level.DEBUG);
    return handler;
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
   * The most telling exception for the dead-letter headers: the listener's wrappers say nothing
   * about why the record failed.
   */
  static Exception reasonOf(Exception thrown) {
    Throwable reason = thrown;
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof InvalidCommandException) {
        return (Exception) t;
      }
      if (t instanceof BatchListenerFailedException && t.getCause() instanceof Exception cause) {
        reason = cause;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return reason instanceof Exception e ? e : thrown;
  }

  private static String serverOf(ConsumerRecord<?, ?> record, CryptshareClients clients) {
    return record.value() instanceof FinalizeCommand command && clients.contains(command.server())
        ? command.server()
        : FinalizeMetrics.UNKNOWN_SERVER;
  }
}

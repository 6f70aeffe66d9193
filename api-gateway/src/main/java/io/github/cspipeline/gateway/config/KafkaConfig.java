package io.github.cspipeline.gateway.config;

import io.github.cspipeline.model.WireFormat;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;

/**
 * Kafka wiring. Serialization and delivery guarantees are fixed here, in code, so that they do not
 * depend on which configuration file happens to be on the class path.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfig {

  /**
   * Header of a command sent with an Idempotency-Key: the caller-scoped key, so that every instance
   * learns which request the key belongs to.
   */
  public static final String IDEMPOTENCY_HEADER = "cryptshare_idempotency-key";

  /**
   * One producer for commands and claims: {@code acks=all} and idempotent, so an acknowledged
   * record is on every in-sync replica exactly once. Each send is observed: it runs in a span of
   * the request's trace and the record carries that span's W3C {@code traceparent} header (ADR
   * 020).
   */
  @Bean
  KafkaTemplate<String, Object> gatewayTemplate(
      KafkaProperties kafka, GatewayProperties properties, ObjectProvider<KafkaAdmin> bootAdmin) {
    var config = kafka.buildProducerProperties();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A request must not wait longer than the send timeout, not even for metadata, and a record
    // it gave up on must not land later than one send timeout after (the claim TTL counts on it).
    int timeoutMs = (int) properties.gateway().sendTimeout().toMillis();
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 1_000));
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 1_000) + 1_000);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    var factory =
        new DefaultKafkaProducerFactory<String, Object>(
            config, new StringSerializer(), new JacksonJsonSerializer<>(WireFormat.mapper()));
    var template = new KafkaTemplate<>(factory);
    template.setObservationEnabled(true);
    // The observation asks for the cluster id on each send until it has one. Boot's admin learns
    // it when it creates the topics at start; if it could not, its lookup kept a request waiting
    // 60 s while Kafka was away (the admin client's close waits for its call to time out) instead
    // of the send timeout. This admin takes Boot's answer if there is one, else gives up as soon.
    var admin =
        new KafkaAdmin(boundedAdminConfig(kafka, properties)) {
          @Override
          public String clusterId() {
            var startup = bootAdmin.getIfAvailable();
            var known = startup == null ? null : startup.getClusterId();
            return known != null ? known : super.clusterId();
          }
        };
    admin.setOperationTimeout((int) Math.max(1, properties.gateway().sendTimeout().toSeconds()));
    template.setKafkaAdmin(admin);
    return template;
  }

  @Bean(destroyMethod = "close")
  Admin gatewayAdmin(KafkaProperties kafka, GatewayProperties properties) {
    return Admin.create(boundedAdminConfig(kafka, properties));
  }

  /** Admin settings whose calls give up within the send timeout (at least 1 s). */
  private static Map<String, Object> boundedAdminConfig(
      KafkaProperties kafka, GatewayProperties properties) {
    Map<String, Object> config = kafka.buildAdminProperties();
    int timeoutMs = (int) properties.gateway().sendTimeout().toMillis();
    config.put("request.timeout.ms", Math.max(timeoutMs, 1_000));
    config.put("default.api.timeout.ms", Math.max(timeoutMs, 1_000));
    return config;
  }

  @Bean
  NewTopic commandTopic(GatewayProperties properties) {
    var topics = properties.gateway().topics();
    return TopicBuilder.name(topics.commands())
        .partitions(topics.partitions())
        .replicas(topics.replicas())
        .build();
  }

  /**
   * The claims topic: broker-assigned timestamps, so that every instance judges a claim's age from
   * the same clock; short retention, since only the last two claim TTLs are read.
   */
  @Bean
  NewTopic claimsTopic(GatewayProperties properties) {
    var topics = properties.gateway().topics();
    return TopicBuilder.name(topics.claims())
        .partitions(topics.partitions())
        .replicas(topics.replicas())
        .config(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")
        .config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
        .config(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topics.claimsRetention().toMillis()))
        .build();
  }
}

package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.config.KafkaConfig;
import io.github.cspipeline.gateway.kafka.TopicReader;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Feeds the status view from the command and event topics, read whole by every instance, committed
 * records only.
 */
@Configuration(proxyBeanMethods = false)
class ViewFeed {

  @Bean
  TopicReader viewReader(
      KafkaProperties kafka, GatewayProperties properties, TransferViews views, Clock clock) {
    var topics = properties.gateway().topics();
    var config = kafka.buildConsumerProperties();
    // Nobody waits on this reader in the hot path (the accepting instance records its own
    // commands at once), so it fetches in batches: fewer fetches for the broker and for us.
    config.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
    config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    // Pollers and workers write events in transactions; an aborted one (a fenced instance's) must
    // never become a view's state, least of all its one terminal state. Not configurable.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new TopicReader(
        "view",
        config,
        java.util.List.of(topics.commands(), topics.events()),
        new TopicReader.Start.Beginning(),
        record -> apply(record, topics.commands(), views),
        clock);
  }

  private static void apply(
      ConsumerRecord<String, byte[]> record, String commandTopic, TransferViews views) {
    if (record.value() == null) {
      return;
    }
    if (record.topic().equals(commandTopic)) {
      var command = WireFormat.mapper().readValue(record.value(), FinalizeCommand.class);
      var idempotency = record.headers().lastHeader(KafkaConfig.IDEMPOTENCY_HEADER);
      views.apply(
          command,
          idempotency == null ? null : new String(idempotency.value(), StandardCharsets.UTF_8));
    } else {
      views.apply(WireFormat.mapper().readValue(record.value(), TransferEvent.class));
    }
  }
}

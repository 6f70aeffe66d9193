package io.github.cspipeline.e2e;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.listener.BatchInterceptor;

/**
 * A bug in the worker's intake, for tests: added to the worker's Spring context, it hands the
 * command of tracking id {@value #TRACKING_ID} to the finalize listener with its value still in
 * bytes. Taking it in then fails with a {@link ClassCastException}, which the listener treats as it
 * treats any bug at intake: it dead-letters the command (its bytes, with the original headers) and
 * publishes nothing, so the transfer has a dead letter and no terminal event. Restarting the worker
 * without this class is "deploying the fix".
 */
@Configuration(proxyBeanMethods = false)
class IntakeBug {

  static final String TRACKING_ID = "e2e.intake-bug.tracking-id";

  @Bean
  static BeanPostProcessor intakeBugInListenerContainers(Environment environment) {
    var trackingId = environment.getRequiredProperty(TRACKING_ID);
    return new BeanPostProcessor() {
      @Override
      @SuppressWarnings("unchecked")
      public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean instanceof ConcurrentKafkaListenerContainerFactory<?, ?> factory) {
          ((ConcurrentKafkaListenerContainerFactory<Object, Object>) factory)
              .setBatchInterceptor(new Bug(trackingId));
        }
        return bean;
      }
    };
  }

  private record Bug(String trackingId) implements BatchInterceptor<Object, Object> {

    @Override
    public ConsumerRecords<Object, Object> intercept(
        ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
      var changed = new LinkedHashMap<TopicPartition, List<ConsumerRecord<Object, Object>>>();
      for (var partition : records.partitions()) {
        changed.put(partition, records.records(partition).stream().map(this::broken).toList());
      }
      return new ConsumerRecords<>(changed, records.nextOffsets());
    }

    private ConsumerRecord<Object, Object> broken(ConsumerRecord<Object, Object> record) {
      if (!(record.value() instanceof FinalizeCommand command)
          || !command.trackingId().equals(trackingId)) {
        return record;
      }
      return new ConsumerRecord<>(
          record.topic(),
          record.partition(),
          record.offset(),
          record.timestamp(),
          record.timestampType(),
          record.serializedKeySize(),
          record.serializedValueSize(),
          record.key(),
          WireFormat.mapper().writeValueAsBytes(command),
          record.headers(),
          record.leaderEpoch());
    }
  }
}

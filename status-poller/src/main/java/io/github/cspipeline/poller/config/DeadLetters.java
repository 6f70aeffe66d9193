package io.github.cspipeline.poller.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

/**
 * Logs and counts every record before it goes to the dead-letter topic, so that a poison record is
 * visible in the log and in {@value #DEAD_LETTERS}, not only in the topic.
 */
final class DeadLetters implements ConsumerRecordRecoverer {

  static final String DEAD_LETTERS = "cryptshare.poller.dead.letters";

  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final ConsumerRecordRecoverer publisher;
  private final String topic;
  private final MeterRegistry registry;

  DeadLetters(ConsumerRecordRecoverer publisher, String topic, MeterRegistry registry) {
    this.publisher = publisher;
    this.topic = topic;
    this.registry = registry;
  }

  @Override
  public void accept(ConsumerRecord<?, ?> record, Exception exception) {
    Throwable reason =
        exception instanceof ListenerExecutionFailedException && exception.getCause() != null
            ? exception.getCause()
            : exception;
    log.warn(
        "Record {} at {}-{}@{} cannot be processed ({}); sending it to {} and carrying on",
        record.key(),
        record.topic(),
        record.partition(),
        record.offset(),
        reason.getMessage(),
        topic);
    publisher.accept(record, exception);
    Counter.builder(DEAD_LETTERS)
        .description("Records sent to the dead-letter topic, by reason")
        .tag("reason", reason.getClass().getSimpleName())
        .register(registry)
        .increment();
  }
}

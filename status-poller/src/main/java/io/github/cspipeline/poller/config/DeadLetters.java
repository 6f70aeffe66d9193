package io.github.cspipeline.poller.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchListenerFailedException;
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
    var reason = reasonOf(exception);
    log.warn(
        "Record {} at {}-{}@{} cannot be processed ({}); sending it to {} and carrying on",
        record.key(),
        record.topic(),
        record.partition(),
        record.offset(),
        reason.getMessage(),
        topic);
    publisher.accept(record, reason);
    Counter.builder(DEAD_LETTERS)
        .description("Records sent to the dead-letter topic, by reason")
        .tag("reason", reason.getClass().getSimpleName())
        .register(registry)
        .increment();
  }

  /**
   * The most telling exception for the log and the dead-letter headers: the listener's wrappers say
   * nothing about why the record failed.
   */
  static Exception reasonOf(Exception thrown) {
    Exception reason = thrown;
    while ((reason instanceof ListenerExecutionFailedException
            || reason instanceof BatchListenerFailedException)
        && reason.getCause() instanceof Exception cause
        && cause != reason) {
      reason = cause;
    }
    return reason;
  }

  /** Whether {@code type} is among the causes of {@code thrown}. */
  static boolean causedBy(Throwable thrown, Class<? extends Throwable> type) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}

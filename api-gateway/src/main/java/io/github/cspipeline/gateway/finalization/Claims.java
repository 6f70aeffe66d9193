package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.kafka.TopicReader;
import io.github.cspipeline.model.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Claims on the claims topic (the Kafka edge of {@link Arbitration}). A claim is produced, then the
 * caller waits until this instance's reader has read it back: by then the reader has also read
 * every earlier claim for the same key, so the decision is the one every other instance makes.
 */
@Component
class Claims {

  private static final Logger log = LoggerFactory.getLogger(Claims.class);

  /** Thrown when the claim could not be produced or read back before the deadline. */
  static final class Unavailable extends Exception {
    Unavailable(String message, @org.jspecify.annotations.Nullable Throwable cause) {
      super(message, cause);
    }
  }

  private final KafkaTemplate<String, Object> kafka;
  private final String topic;
  private final Clock clock;
  private final String instance = UUID.randomUUID().toString();
  private final Arbitration arbitration;
  private final TopicReader reader;
  private final Map<UUID, CompletableFuture<Arbitration.Decision>> waiting =
      new ConcurrentHashMap<>();
  private long read;

  Claims(
      KafkaTemplate<String, Object> kafka,
      KafkaProperties kafkaProperties,
      GatewayProperties properties,
      Clock clock) {
    this.kafka = kafka;
    this.topic = properties.gateway().topics().claims();
    this.clock = clock;
    var ttl = properties.gateway().claimTtl();
    this.arbitration = new Arbitration(ttl);
    // Two TTLs back is enough to know every winner that can still beat a new claim.
    this.reader =
        new TopicReader(
            "claims",
            kafkaProperties.buildConsumerProperties(),
            java.util.List.of(topic),
            new TopicReader.Start.At(ttl.multipliedBy(2)),
            this::onRecord,
            clock);
    log.info("Gateway instance {} claims on {}", instance, topic);
  }

  TopicReader reader() {
    return reader;
  }

  Arbitration.Decision claim(String key, String fingerprint, Instant deadline)
      throws Unavailable, InterruptedException {
    var claim = new Claim(UUID.randomUUID(), key, fingerprint, instance, clock.instant());
    var decision = new CompletableFuture<Arbitration.Decision>();
    waiting.put(claim.claimId(), decision);
    try {
      var record =
          new ProducerRecord<String, Object>(
              topic, null, clock.millis(), key, (Object) claim, null);
      // Reading the claim back proves it is in the log (consumers see only replicated records),
      // so the producer's acknowledgement is not awaited separately; only its failure counts.
      kafka
          .send(record)
          .whenComplete(
              (sent, failure) -> {
                if (failure != null) {
                  decision.completeExceptionally(failure);
                }
              });
      return decision.get(remaining(deadline), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new Unavailable("Claim " + claim.claimId() + " not decided in time", e);
    } finally {
      waiting.remove(claim.claimId());
    }
  }

  private long remaining(Instant deadline) {
    return Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
  }

  private void onRecord(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    var claim = WireFormat.mapper().readValue(record.value(), Claim.class);
    var decision = arbitration.apply(claim, Instant.ofEpochMilli(record.timestamp()));
    var waiter = waiting.get(claim.claimId());
    if (waiter != null) {
      waiter.complete(decision);
    }
    if (++read % 1_000 == 0) {
      arbitration.prune(Duration.ofMinutes(1));
    }
  }
}

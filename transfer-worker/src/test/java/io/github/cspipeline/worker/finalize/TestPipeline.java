package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;

import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.FakeCryptshare;
import io.github.cspipeline.worker.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;

/**
 * The finalize pipeline with fakes at both ends: Cryptshare servers {@code default} and {@code
 * slow} are {@link FakeCryptshare}s, Kafka is a {@link MockProducer}, retries do not wait.
 */
final class TestPipeline {

  static final String EVENTS = "events";

  final MutableClock clock = new MutableClock(NOW);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FinalizeMetrics metrics = new FinalizeMetrics(registry);
  final FakeCryptshare cryptshare = new FakeCryptshare();
  final FakeCryptshare slowCryptshare = new FakeCryptshare();
  final WorkerShutdown shutdown = new WorkerShutdown();

  // KafkaTemplate closes its producer after each send; a real factory's producers survive that.
  final MockProducer<String, Object> producer =
      new MockProducer<>(
          true,
          null,
          new StringSerializer(),
          new JacksonJsonSerializer<>(WireFormat.mapper()).noTypeInfo()) {
        @Override
        public void close(Duration timeout) {}
      };

  final BatchFinalizer batch =
      new BatchFinalizer(
          new Finalizer(
              server -> server.equals("slow") ? slowCryptshare : cryptshare,
              new RetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0),
              Duration.ofMinutes(1),
              shutdown,
              clock,
              metrics),
          new TransferEventPublisher(
              new KafkaTemplate<>(new MockProducerFactory<>(() -> producer)), EVENTS),
          new DecidedEvents(100),
          shutdown,
          metrics,
          clock);

  List<TransferEvent> published() {
    return producer.history().stream().map(r -> (TransferEvent) r.value()).toList();
  }
}

package io.github.cspipeline.worker;

import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.Traceparent;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.testkit.StubCryptshare;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Starting workers and sending commands in the integration tests. */
public final class Workers {

  private Workers() {}

  /**
   * A worker as the end-to-end tests start it: no configuration file, the contract keys, plus
   * {@code properties} ({@code key=value}).
   */
  public static ConfigurableApplicationContext start(
      String bootstrapServers, URI cryptshare, String... properties) {
    var args = new ArrayList<String>();
    args.add("--spring.config.name=transfer-worker-it-has-no-config-file");
    args.add("--spring.kafka.bootstrap-servers=" + bootstrapServers);
    args.add("--cryptshare.servers.default.base-url=" + cryptshare);
    args.add("--cryptshare.servers.default.client-id=" + WorkerFixtures.CLIENT_ID);
    args.add("--management.server.port=0");
    for (var property : properties) {
      args.add("--" + property);
    }
    return TransferWorkerApplication.builder().run(args.toArray(String[]::new));
  }

  /**
   * A Cryptshare stub that, unless scripted otherwise, issues a fresh token per request, accepts
   * every finalize and answers every status with {@code PROCESSING}.
   */
  public static StubCryptshare cryptshare() {
    return new StubCryptshare()
        .issuingTokens()
        .finalizingSessions()
        .answeringStatus(StubCryptshare.state("PROCESSING"));
  }

  public static KafkaProducer<String, byte[]> commandProducer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  public static void send(KafkaProducer<String, byte[]> producer, FinalizeCommand command) {
    producer.send(
        new ProducerRecord<>(
            Topics.FINALIZE_COMMANDS,
            command.trackingId(),
            WireFormat.mapper().writeValueAsBytes(command)));
  }

  /** Sends a command whose record carries a W3C {@code traceparent} header. */
  public static void send(
      KafkaProducer<String, byte[]> producer, FinalizeCommand command, String traceparent) {
    var record =
        new ProducerRecord<>(
            Topics.FINALIZE_COMMANDS,
            command.trackingId(),
            WireFormat.mapper().writeValueAsBytes(command));
    record.headers().add(Traceparent.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
    producer.send(record);
  }

  public static FinalizeCommand command(String sender, String trackingId) {
    return FinalizeCommand.of(Instant.now(), "default", sender, trackingId, null);
  }

  /** {@code count} new tracking ids, Cryptshare style. */
  public static List<String> trackingIds(int count) {
    var ids = new ArrayList<String>();
    for (int i = 0; i < count; i++) {
      ids.add("20261126-101500-" + UUID.randomUUID().toString().replace("-", "").substring(0, 8));
    }
    return ids;
  }
}

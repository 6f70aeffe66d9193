package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.security.Caller;
import io.github.cspipeline.gateway.status.TransferView;
import io.github.cspipeline.gateway.status.TransferViews;
import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Accepts a finalize request: checks it, and hands exactly one command per {@code (server,
 * trackingId)} to Kafka. A request counts as accepted only once Kafka acknowledged the command.
 */
@Service
public class FinalizationService {

  private static final Logger log = LoggerFactory.getLogger(FinalizationService.class);
  static final String SOURCE = "/cryptshare-pipeline/api-gateway";

  private final KafkaTemplate<String, FinalizeCommand> kafka;
  private final TransferViews views;
  private final GatewayProperties properties;
  private final Clock clock;
  private final Timer acceptLatency;
  private final MeterRegistry meters;

  public FinalizationService(
      KafkaTemplate<String, FinalizeCommand> kafka,
      TransferViews views,
      GatewayProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.kafka = kafka;
    this.views = views;
    this.properties = properties;
    this.clock = clock;
    this.meters = meters;
    this.acceptLatency =
        Timer.builder("cryptshare.gateway.accept.latency")
            .description("Time until Kafka acknowledged a finalize command")
            .publishPercentileHistogram()
            .register(meters);
  }

  /** The outcome: the view to answer with, and whether this request emitted the command. */
  public record Result(TransferView view, boolean created) {}

  public Result accept(FinalizationRequest request, Caller caller) {
    var server = request.serverOrDefault();
    if (!properties.servers().containsKey(server)) {
      throw new GatewayException(
          HttpStatus.BAD_REQUEST, "UNKNOWN_SERVER", "No Cryptshare server '" + server + "'");
    }
    if (!caller.mayUseServer(server)) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SERVER", "This API key may not use server " + server);
    }
    if (!caller.mayActFor(request.sender())) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SENDER", "This API key may not act for this sender");
    }
    var now = clock.instant();
    var existing = views.acceptIfAbsent(server, request.sender(), request.trackingId(), now);
    if (existing.isPresent()) {
      return repeated(existing.get(), request);
    }
    var command = FinalizeCommand.of(now, server, request.sender(), request.trackingId(), null);
    send(command);
    count("accepted");
    log.info(
        "Accepted finalize of {} on server {} as command {}",
        command.trackingId(),
        server,
        command.commandId());
    return new Result(views.find(server, request.trackingId()).orElseThrow(), true);
  }

  private Result repeated(TransferView existing, FinalizationRequest request) {
    if (!existing
        .sender()
        .toLowerCase(Locale.ROOT)
        .equals(request.sender().toLowerCase(Locale.ROOT))) {
      count("conflict");
      throw new GatewayException(
          HttpStatus.CONFLICT,
          "TRACKING_ID_CONFLICT",
          "Tracking id " + request.trackingId() + " was already submitted for another sender");
    }
    count("repeated");
    return new Result(existing, false);
  }

  private void send(FinalizeCommand command) {
    var timeout = properties.gateway().sendTimeout();
    var record =
        CloudEvents.record(
            properties.gateway().topics().commands(),
            command.trackingId(),
            command,
            command.commandId(),
            FinalizeCommand.CLOUD_EVENT_TYPE,
            SOURCE,
            command.requestedAt());
    long started = System.nanoTime();
    try {
      kafka.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      acceptLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw notAccepted(command, e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw notAccepted(command, e);
    }
  }

  private GatewayException notAccepted(FinalizeCommand command, Exception cause) {
    views.forgetAccepted(command.server(), command.trackingId());
    count("kafka_unavailable");
    log.warn(
        "Kafka did not acknowledge the finalize command of {} in time; answering 503 so the caller"
            + " retries",
        command.trackingId(),
        cause);
    return new GatewayException(
        HttpStatus.SERVICE_UNAVAILABLE,
        "KAFKA_UNAVAILABLE",
        "The request could not be handed on; retry later",
        properties.gateway().retryAfter(),
        cause);
  }

  private void count(String outcome) {
    meters.counter("cryptshare.gateway.finalizations", "outcome", outcome).increment();
  }
}

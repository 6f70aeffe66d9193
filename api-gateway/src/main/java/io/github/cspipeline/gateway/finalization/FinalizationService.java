package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.config.KafkaConfig;
import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.error.InvalidFieldsException;
import io.github.cspipeline.gateway.kafka.TopicReader;
import io.github.cspipeline.gateway.security.Caller;
import io.github.cspipeline.gateway.status.TransferView;
import io.github.cspipeline.gateway.status.TransferViews;
import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.command.FinalizeCommandRules;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Accepts a finalize request: checks it, and hands exactly one command per {@code (server,
 * trackingId)} to Kafka, across all gateway instances. Only the request whose claim wins on the
 * claims topic sends the command; a request counts as accepted only once Kafka acknowledged it.
 */
@Service
public class FinalizationService {

  private static final Logger log = LoggerFactory.getLogger(FinalizationService.class);
  static final String SOURCE = "/cryptshare-pipeline/api-gateway";

  private final KafkaTemplate<String, Object> kafka;
  private final TransferViews views;
  private final Claims claims;
  private final CredentialSealer sealer;
  private final TopicReader viewReader;
  private final Admin admin;
  private final GatewayProperties properties;
  private final Clock clock;
  private final Timer acceptLatency;

  FinalizationService(
      KafkaTemplate<String, Object> kafka,
      TransferViews views,
      Claims claims,
      CredentialSealer sealer,
      @Qualifier("viewReader") TopicReader viewReader,
      Admin admin,
      GatewayProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.kafka = kafka;
    this.views = views;
    this.claims = claims;
    this.sealer = sealer;
    this.viewReader = viewReader;
    this.admin = admin;
    this.properties = properties;
    this.clock = clock;
    this.acceptLatency =
        Timer.builder("cryptshare.gateway.accept.latency")
            .description(
                "Time from a new finalize request to Kafka's acknowledgement of its command")
            .publishPercentileHistogram()
            .register(meters);
  }

  /** The outcome: the view to answer with, and whether this request emitted the command. */
  public record Result(TransferView view, boolean created) {}

  /**
   * @param idempotencyKey the caller's Idempotency-Key, already checked for form
   * @param token the caller's verification token, already checked for form; never logged
   */
  public Result accept(
      FinalizationRequest request,
      Caller caller,
      @Nullable String idempotencyKey,
      @Nullable String token) {
    var server = request.serverOrDefault();
    // The worker takes in exactly what these rules allow; whatever passed bean validation but
    // breaks them would be accepted here and refused there, and never reach a terminal state.
    var violations = FinalizeCommandRules.check(server, request.sender(), request.trackingId());
    if (!violations.isEmpty()) {
      throw new InvalidFieldsException(
          violations.stream()
              .collect(
                  Collectors.toMap(
                      FinalizeCommandRules.Violation::field,
                      FinalizeCommandRules.Violation::message,
                      (a, b) -> a + "; " + b)));
    }
    if (!properties.servers().containsKey(server)) {
      throw new GatewayException(
          HttpStatus.BAD_REQUEST, "UNKNOWN_SERVER", "No Cryptshare server '" + server + "'");
    }
    if (!caller.mayUseServer(server)) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SERVER", "This credential may not use server " + server);
    }
    if (!caller.mayActFor(request.sender())) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SENDER", "This credential may not act for this sender");
    }
    if (token != null && !sealer.enabled()) {
      // Without a key the token could only travel in clear text; refusing keeps it off Kafka.
      throw new GatewayException(
          HttpStatus.BAD_REQUEST,
          "PASS_THROUGH_TOKEN_UNSUPPORTED",
          "X-CS-VerificationToken is not accepted here; configure the server's client id");
    }
    var fingerprint = TransferViews.fingerprint(server, request.sender(), request.trackingId());
    var scope = idempotencyKey == null ? null : caller.name() + "\n" + idempotencyKey;
    if (scope != null
        && views.idempotencyFingerprint(scope).filter(f -> !f.equals(fingerprint)).isPresent()) {
      throw keyReused();
    }
    var existing = views.find(server, request.trackingId());
    if (existing.isPresent()) {
      return repeated(existing.get(), request);
    }
    long started = System.nanoTime();
    var deadline = clock.instant().plus(properties.gateway().sendTimeout());
    try {
      if (scope != null
          && claims.claim(Claim.idempotencyKey(scope), fingerprint, deadline)
              instanceof Arbitration.Decision.Lost lost
          && !lost.winner().fingerprint().equals(fingerprint)) {
        throw keyReused();
      }
      var decision =
          claims.claim(Claim.transferKey(server, request.trackingId()), fingerprint, deadline);
      return switch (decision) {
        case Arbitration.Decision.Lost lost -> awaitWinner(request, server, deadline);
        case Arbitration.Decision.Won won -> {
          if (won.takeover()) {
            // The earlier winner's command may have landed late; never send a second one.
            var prior = afterReadingAllCommands(server, request.trackingId(), deadline);
            if (prior.isPresent()) {
              yield repeated(prior.get(), request);
            }
          }
          var credential =
              token == null
                  ? null
                  : sealer.seal(token, server, request.sender(), request.trackingId());
          var command =
              new FinalizeCommand(
                  FinalizeCommand.SCHEMA_VERSION,
                  won.claimId(),
                  won.loggedAt(),
                  server,
                  request.sender(),
                  request.trackingId(),
                  credential);
          send(command, scope, deadline);
          views.acceptLocally(command, scope);
          acceptLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          log.info(
              "Accepted finalize of {} on server {} as command {}",
              command.trackingId(),
              server,
              command.commandId());
          yield new Result(views.find(server, request.trackingId()).orElseThrow(), true);
        }
      };
    } catch (Claims.Unavailable e) {
      throw notAccepted(request.trackingId(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw notAccepted(request.trackingId(), e);
    }
  }

  private Result repeated(TransferView existing, FinalizationRequest request) {
    if (!existing
        .sender()
        .toLowerCase(Locale.ROOT)
        .equals(request.sender().toLowerCase(Locale.ROOT))) {
      throw new GatewayException(
          HttpStatus.CONFLICT,
          "TRACKING_ID_CONFLICT",
          "Tracking id " + request.trackingId() + " was already submitted for another sender");
    }
    return new Result(existing, false);
  }

  /** Another request won the claim: answer as a repeat once its command is in the view. */
  private Result awaitWinner(FinalizationRequest request, String server, Instant deadline)
      throws InterruptedException {
    var appeared = new CompletableFuture<TransferView>();
    try (var ignored = views.watch(server, request.trackingId(), appeared::complete)) {
      var now = views.find(server, request.trackingId());
      if (now.isPresent()) {
        return repeated(now.get(), request);
      }
      try {
        return repeated(appeared.get(remainingMillis(deadline), TimeUnit.MILLISECONDS), request);
      } catch (ExecutionException | TimeoutException e) {
        log.info(
            "Finalize of {} waits for a concurrent request that has not finished; answering 503",
            request.trackingId());
        throw new GatewayException(
            HttpStatus.SERVICE_UNAVAILABLE,
            "TRANSFER_BUSY",
            "Another request for this transfer is still being handed on; retry later",
            properties.gateway().retryAfter(),
            e);
      }
    }
  }

  /** The view of the transfer once this instance has read every command on the topic now. */
  private Optional<TransferView> afterReadingAllCommands(
      String server, String trackingId, Instant deadline) throws Claims.Unavailable {
    var topic = properties.gateway().topics().commands();
    try {
      var description =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(remainingMillis(deadline), TimeUnit.MILLISECONDS)
              .get(topic);
      var specs = new HashMap<TopicPartition, OffsetSpec>();
      description
          .partitions()
          .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      var ends = new HashMap<TopicPartition, Long>();
      // The view reader reads committed records only; it cannot pass an open transaction.
      admin
          .listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(remainingMillis(deadline), TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
      if (!viewReader.awaitPositions(ends, deadline)) {
        throw new Claims.Unavailable("The command view did not catch up in time", null);
      }
      return views.find(server, trackingId);
    } catch (ExecutionException | TimeoutException e) {
      throw new Claims.Unavailable("Cannot read the command topic's end offsets", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Claims.Unavailable("Interrupted", e);
    }
  }

  private void send(FinalizeCommand command, @Nullable String scope, Instant deadline) {
    var record =
        new ProducerRecord<String, Object>(
            properties.gateway().topics().commands(), command.trackingId(), command);
    CloudEvents.addCommandHeaders(record.headers(), command, SOURCE);
    if (scope != null) {
      record.headers().add(KafkaConfig.IDEMPOTENCY_HEADER, scope.getBytes(StandardCharsets.UTF_8));
    }
    try {
      kafka.send(record).get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw notAccepted(command.trackingId(), e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw notAccepted(command.trackingId(), e);
    }
  }

  private long remainingMillis(Instant deadline) {
    return Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
  }

  private GatewayException notAccepted(String trackingId, Exception cause) {
    log.warn(
        "Kafka did not acknowledge the finalize of {} in time; answering 503 so the caller"
            + " retries",
        trackingId,
        cause);
    return new GatewayException(
        HttpStatus.SERVICE_UNAVAILABLE,
        "KAFKA_UNAVAILABLE",
        "The request could not be handed on; retry later",
        properties.gateway().retryAfter(),
        cause);
  }

  private static GatewayException keyReused() {
    return new GatewayException(
        HttpStatus.UNPROCESSABLE_CONTENT,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used for a different request");
  }
}

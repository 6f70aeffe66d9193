package io.github.cspipeline.worker;

import io.github.cspipeline.cryptshare.CryptshareApi;
import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import io.github.cspipeline.worker.finalize.FinalizeMetrics;
import io.github.cspipeline.worker.finalize.Finalizer;
import io.github.cspipeline.worker.finalize.Pauser;
import io.github.cspipeline.worker.resilience.RetryBackoff;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Shared test data of the transfer-worker. */
public final class WorkerFixtures {

  public static final String SERVER = "default";
  public static final String SENDER = "alice@example.com";
  public static final String CLIENT_ID = "WorkerTestClientId".repeat(4);
  public static final Instant NOW = Instant.parse("2026-11-26T10:15:00Z");
  public static final URI BASE_URL = URI.create("https://cs.example.com");

  private WorkerFixtures() {}

  public static String trackingId() {
    return "20261126-101500-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static FinalizeCommand command(String trackingId) {
    return FinalizeCommand.of(NOW, SERVER, SENDER, trackingId, null);
  }

  /** The command with the token encrypted into its credential, as a caller sends it. */
  public static FinalizeCommand withCredential(
      FinalizeCommand command, String token, CredentialCipher cipher) {
    var credential =
        cipher.encrypt(token, command.server(), command.sender(), command.trackingId());
    return new FinalizeCommand(
        command.schemaVersion(),
        command.commandId(),
        command.requestedAt(),
        command.server(),
        command.sender(),
        command.trackingId(),
        credential);
  }

  /** A guard of SERVER with default breaker and bulkhead that retries forever, by the backoff. */
  public static ServerGuard guard(RetryBackoff backoff, Clock clock) {
    return new ServerGuard(
        SERVER,
        CircuitBreaker.ofDefaults(SERVER),
        new RequestBudget(null, Bulkhead.ofDefaults(SERVER)),
        Retry.of(
            SERVER,
            RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalBiFunction(backoff.asIntervalFunction())
                .build()),
        clock);
  }

  /**
   * A finalizer of SERVER only. Like the production lookups, the clients and guards fail for any
   * other server: the finalizer must ask for configured servers only.
   */
  public static Finalizer finalizer(
      CryptshareApi cryptshare,
      ServerGuard guard,
      PassThroughCredentials credentials,
      Pauser pauser,
      Clock clock,
      FinalizeMetrics metrics) {
    return new Finalizer(
        server -> configured(server, cryptshare),
        server -> configured(server, guard),
        SERVER::equals,
        credentials,
        pauser,
        clock,
        metrics);
  }

  private static <T> T configured(String server, T of) {
    if (!SERVER.equals(server)) {
      throw new IllegalArgumentException("no Cryptshare server '" + server + "'");
    }
    return of;
  }

  public static URI statusUrl(String sender, String trackingId) {
    return BASE_URL.resolve("/api/users/" + sender + "/transfers/" + trackingId);
  }

  public static CryptshareException.ErrorResponse answer(int status, @Nullable Integer code) {
    return answer(status, code, null);
  }

  public static CryptshareException.ErrorResponse answer(
      int status, @Nullable Integer code, @Nullable Duration retryAfter) {
    return new CryptshareException.ErrorResponse(
        SERVER, status, code, "Cryptshare says " + status, retryAfter);
  }

  public static CryptshareException.Unreachable unreachable() {
    return new CryptshareException.Unreachable(SERVER, new ConnectException("Connection refused"));
  }

  public static CryptshareException.OutcomeUnknown lostAnswer() {
    return new CryptshareException.OutcomeUnknown(SERVER, new SocketTimeoutException("timeout"));
  }

  public static CryptshareException.OutcomeUnknown reset() {
    return new CryptshareException.OutcomeUnknown(SERVER, new IOException("Connection reset"));
  }
}

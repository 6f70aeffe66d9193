package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.cryptshare.CryptshareApi;
import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.ForeignLocationException;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.worker.resilience.ServerGuard;
import java.net.URI;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transfer's requests to Cryptshare, each with the sender's token: the finalize and the status
 * check. Apart from {@link Attempt}, which decides what an answer means, this knows how a request
 * is made: which token, when it is renewed, and whether the last request left the worker (a failure
 * before that cannot have taken effect). Confined to the transfer's thread.
 */
final class TransferRequests {

  private static final Logger log = LoggerFactory.getLogger(TransferRequests.class);

  private final FinalizeCommand command;
  private final CryptshareApi api;
  private final @Nullable String passThroughToken;
  private final FinalizeMetrics metrics;
  private boolean requestSent;
  private boolean tokenRenewed;

  /**
   * @param passThroughToken the caller's token, decrypted from the command; null in client-id mode
   */
  TransferRequests(
      FinalizeCommand command,
      CryptshareApi api,
      @Nullable String passThroughToken,
      FinalizeMetrics metrics) {
    this.command = command;
    this.api = api;
    this.passThroughToken = passThroughToken;
    this.metrics = metrics;
  }

  /** Whether the last request (the finalize or status request, not a token's) was sent. */
  boolean requestSent() {
    return requestSent;
  }

  /** The transfer's status URL on this server, as the server names it. */
  URI statusUrl() {
    return api.statusUrlOf(command.sender(), command.trackingId());
  }

  /**
   * Finalizes the session.
   *
   * @return the status URL to poll
   */
  URI finalizeSession() {
    try {
      return withToken(this::timedFinalize);
    } catch (ForeignLocationException e) {
      // The finalize took effect; only the URL is suspicious. The canonical one is safe to poll.
      log.warn(
          "Cryptshare finalized {} but named a status URL outside its origin; using the"
              + " canonical status URL",
          command.trackingId());
      return statusUrl();
    }
  }

  private URI timedFinalize(String token) {
    long start = System.nanoTime();
    try {
      var statusUrl = api.finalizeSession(command.sender(), command.trackingId(), token);
      metrics.finalizeCall(command.server(), "created", since(start));
      return statusUrl;
    } catch (ForeignLocationException e) {
      metrics.finalizeCall(command.server(), "created", since(start));
      throw e;
    } catch (CryptshareException e) {
      if (ServerGuard.notSentCause(e) == null) {
        metrics.finalizeCall(command.server(), e.kind().tag(), since(start));
      }
      throw e;
    }
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * Whether Cryptshare knows the transfer: a status check answering 404 says no, any other failure
   * is thrown.
   */
  boolean transferExists() {
    try {
      withToken(token -> api.transferStatus(statusUrl(), token));
      return true;
    } catch (CryptshareException.ErrorResponse e) {
      if (e.httpStatus() == 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Runs a call with the sender's token. The worker's own token (client-id mode) is renewed once
   * per transfer when refused; the caller's pass-through token is used as it is.
   */
  private <T> T withToken(Function<String, T> call) {
    requestSent = false;
    if (passThroughToken != null) {
      requestSent = true;
      return call.apply(passThroughToken);
    }
    var token = api.token(command.sender());
    try {
      requestSent = true;
      return call.apply(token.value());
    } catch (CryptshareException.ErrorResponse e) {
      if (!e.isInvalidToken() || tokenRenewed) {
        throw e;
      }
      tokenRenewed = true;
      api.invalidateToken(command.sender(), token);
      log.info(
          "Cryptshare refused the verification token used for {}; fetching a fresh one and"
              + " trying once more",
          command.trackingId());
      requestSent = false;
      var fresh = api.token(command.sender());
      requestSent = true;
      return call.apply(fresh.value());
    }
  }
}

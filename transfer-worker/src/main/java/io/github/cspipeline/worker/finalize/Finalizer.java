package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.cryptshare.CryptshareApi;
import io.github.cspipeline.model.credential.CredentialException;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.cspipeline.worker.resilience.StopSwitch;
import io.github.cspipeline.worker.state.TransferProgress;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the outcome of one transfer by talking to Cryptshare: {@code PROCESSING}, {@code
 * REJECTED} or {@code ABANDONED}. It runs on the transfer's own virtual thread and retries
 * transient failures in place, so the consumer is never held up.
 *
 * <ul>
 *   <li>transient (unreachable, 5xx, 408, 429): retry after the server's retry policy (exponential
 *       backoff with jitter; a longer {@code Retry-After} wins);
 *   <li>ambiguous (no answer after the request was sent, or 502/504, a proxy's answer) and 404 on
 *       finalize: the transfer status decides; a transfer that exists was finalized, so {@code
 *       PROCESSING}; otherwise finalize again (after no answer) or {@code REJECTED} (after 404);
 *   <li>3002 under 401 or 403: a fresh token once (client-id mode only), then {@code REJECTED};
 *   <li>other 4xx: {@code REJECTED} at once;
 *   <li>deadline passed: {@code ABANDONED} with the last error.
 * </ul>
 *
 * <p>Once a finalize may have taken effect (sent without an answer, 404, 502 or 504, or sent by an
 * earlier owner of a resumed transfer), nothing but a status check answering 404 lets the transfer
 * end {@code REJECTED}: a refusal of the check (e.g. an expired pass-through token) is retried
 * within the budget, which then ends {@code ABANDONED} with {@link
 * ErrorCodes#FINALIZE_OUTCOME_UNKNOWN}.
 *
 * <p>A transfer whose server or credential key this instance lacks makes no call: it waits for its
 * deadline (an instance with the configuration may take it over meanwhile, e.g. in a rolling
 * deployment), then ends {@code ABANDONED}.
 *
 * <p>While the server's circuit is open it waits without calling and without counting retries. A
 * transfer resumed from another instance (or before a restart) checks the status before its first
 * finalize, because the previous owner may have finalized it already.
 *
 * <p>This class checks what must hold before any attempt (the server and credential are usable
 * here); the attempts are {@link Attempt}'s, their requests {@link TransferRequests}' and the
 * events {@link DecisionEvents}'.
 */
public final class Finalizer {

  private static final Logger log = LoggerFactory.getLogger(Finalizer.class);

  /**
   * Refused status checks (4xx other than 404, 408, 429) after a finalize that may have taken
   * effect before the transfer ends {@code ABANDONED} ({@code FINALIZE_OUTCOME_UNKNOWN}).
   */
  static final int MAX_REFUSED_CHECKS = 3;

  private final Function<String, ? extends CryptshareApi> servers;
  private final Function<String, ServerGuard> guards;
  private final Predicate<String> configuredServer;
  private final PassThroughCredentials credentials;
  private final FinalizeMetrics metrics;
  private final Attempt.Support support;

  /**
   * @param servers the client of a configured server
   * @param guards the guard of a configured server
   * @param configuredServer whether a server is configured; {@code servers} and {@code guards} are
   *     asked for configured servers only
   */
  public Finalizer(
      Function<String, ? extends CryptshareApi> servers,
      Function<String, ServerGuard> guards,
      Predicate<String> configuredServer,
      PassThroughCredentials credentials,
      Pauser pauser,
      Clock clock,
      FinalizeMetrics metrics) {
    this.servers = servers;
    this.guards = guards;
    this.configuredServer = configuredServer;
    this.credentials = credentials;
    this.metrics = metrics;
    this.support = new Attempt.Support(pauser, clock, metrics, new DecisionEvents(clock));
  }

  /**
   * The event that ends this transfer's work.
   *
   * @param resumed the transfer was taken in earlier (by this or another instance): a finalize may
   *     have been sent already
   * @return the decision, or null when the work was stopped before deciding
   */
  public @Nullable TransferEvent decide(
      TransferProgress progress, boolean resumed, StopSwitch stopSwitch) {
    var command = Objects.requireNonNull(progress.command(), "command");
    var server = command.server();
    try {
      // Checked before any attempt, and within this method's answer: a transfer this instance
      // cannot work on must neither fail (and be relaunched forever) nor call Cryptshare.
      if (!configuredServer.test(server)) {
        return awaitConfiguration(
            progress,
            stopSwitch,
            ErrorCodes.SERVER_NOT_CONFIGURED,
            "Cryptshare server '%s' is not configured on this worker".formatted(server));
      }
      String token;
      try {
        token = credentials.tokenOf(command);
      } catch (CredentialException e) {
        // Taken in by an instance that could decrypt it (the validator refuses other credentials
        // at intake): this one lacks the key, or has another key under its id.
        return awaitConfiguration(
            progress,
            stopSwitch,
            e.reason() == CredentialException.Reason.UNKNOWN_KEY
                ? ErrorCodes.CREDENTIAL_KEY_UNKNOWN
                : ErrorCodes.CREDENTIAL_INVALID,
            "its credential cannot be decrypted on this worker (" + e.getMessage() + ")");
      }
      var requests = new TransferRequests(command, servers.apply(server), token, metrics);
      return new Attempt(progress, requests, guards.apply(server), resumed, stopSwitch, support)
          .run();
    } catch (InterruptedException e) {
      log.info(
          "Stopped working on {} before deciding; its next owner resumes it", command.trackingId());
      return null;
    }
  }

  /**
   * Waits, without calling Cryptshare, until the deadline: on revocation (e.g. a rolling deployment
   * stops this instance) the next owner takes the transfer over, and it may have the configuration.
   */
  private TransferEvent awaitConfiguration(
      TransferProgress progress, StopSwitch stopSwitch, String code, String why)
      throws InterruptedException {
    var command = Objects.requireNonNull(progress.command(), "command");
    var reason = code.toLowerCase(Locale.ROOT);
    var left = Duration.between(support.clock().instant(), progress.deadline());
    log.warn(
        "{} cannot be finalized by this instance: {}. Waiting up to {} for an instance configured"
            + " for it to take it over; it ends ABANDONED ({}) otherwise",
        command.trackingId(),
        why,
        left.isNegative() ? Duration.ZERO : left,
        code);
    metrics.startedWaitingForConfiguration(reason);
    try {
      if (left.isPositive()) {
        support.pauser().pause(left);
      }
    } finally {
      metrics.stoppedWaitingForConfiguration(reason);
    }
    if (stopSwitch.isStopping()) {
      throw new InterruptedException("stopping");
    }
    var message =
        "%s; no instance configured for it took the transfer over within its retry budget of %s"
            .formatted(why, Duration.between(progress.acceptedAt(), progress.deadline()));
    log.warn("Giving up on {}: {}; publishing ABANDONED", command.trackingId(), message);
    return support.events().abandoned(command, code, message);
  }
}

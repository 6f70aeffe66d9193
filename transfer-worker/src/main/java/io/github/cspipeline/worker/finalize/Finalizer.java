package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.cryptshare.CryptshareApi;
import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.ForeignLocationException;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialException;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.cspipeline.worker.resilience.StopSwitch;
import io.github.cspipeline.worker.state.TransferProgress;
import io.github.resilience4j.retry.Retry;
import java.net.URI;
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
 */
public final class Finalizer {

  private static final Logger log = LoggerFactory.getLogger(Finalizer.class);
  private static final Duration CIRCUIT_RECHECK = Duration.ofSeconds(1);

  /**
   * Refused status checks (4xx other than 404, 408, 429) after a finalize that may have taken
   * effect before the transfer ends {@code ABANDONED} ({@code FINALIZE_OUTCOME_UNKNOWN}).
   */
  static final int MAX_REFUSED_CHECKS = 3;

  private final Function<String, ? extends CryptshareApi> servers;
  private final Function<String, ServerGuard> guards;
  private final Predicate<String> configuredServer;
  private final PassThroughCredentials credentials;
  private final Pauser pauser;
  private final Clock clock;
  private final FinalizeMetrics metrics;

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
    this.pauser = pauser;
    this.clock = clock;
    this.metrics = metrics;
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
      return new Attempt(
              progress,
              command,
              servers.apply(server),
              guards.apply(server),
              token,
              resumed,
              stopSwitch)
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
    var left = Duration.between(clock.instant(), progress.deadline());
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
        pauser.pause(left);
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
    return TransferEvent.failedFinalize(
        command.server(),
        command.sender(),
        command.trackingId(),
        TransferState.ABANDONED,
        clock.instant(),
        new TransferError(code, message, null, null));
  }

  private enum Step {
    /** Resumed: did an earlier owner's finalize take effect? */
    CHECK_FIRST,
    FINALIZE,
    /** The finalize request was sent but its answer lost: did it take effect? */
    CHECK_AFTER_LOST_ANSWER,
    /** Finalize answered 404: unknown session, or a transfer finalized by an earlier attempt. */
    CHECK_AFTER_NOT_FOUND
  }

  /** The state of one transfer's attempts; confined to its thread. */
  private final class Attempt {
    private final TransferProgress progress;
    private final FinalizeCommand command;
    private final CryptshareApi api;
    private final ServerGuard guard;
    private final @Nullable String passThroughToken;
    private final StopSwitch stopSwitch;
    private final Retry.AsyncContext<Object> retry;
    private Step step;
    private boolean requestSent;
    private boolean tokenRenewed;
    private boolean lastCheck;

    /**
     * A finalize may have taken effect: sent without a usable answer (lost, 404, 502, 504), or by
     * an earlier owner. Only a status check answering 404 clears it; while it is set, nothing ends
     * {@code REJECTED}.
     */
    private boolean mayHaveFinalized;

    private int refusedChecks;

    private int failures;
    private CryptshareException.@Nullable ErrorResponse notFound;
    private @Nullable CryptshareException lastError;

    Attempt(
        TransferProgress progress,
        FinalizeCommand command,
        CryptshareApi api,
        ServerGuard guard,
        @Nullable String passThroughToken,
        boolean resumed,
        StopSwitch stopSwitch) {
      this.progress = progress;
      this.command = command;
      this.api = api;
      this.guard = guard;
      this.passThroughToken = passThroughToken;
      this.stopSwitch = stopSwitch;
      this.retry = guard.retry().asyncContext();
      this.step = resumed ? Step.CHECK_FIRST : Step.FINALIZE;
      this.mayHaveFinalized = resumed;
    }

    @Nullable TransferEvent run() throws InterruptedException {
      while (true) {
        if (stopSwitch.isStopping()) {
          throw new InterruptedException("stopping");
        }
        if (!guard.awaitNotOpen(progress.deadline())) {
          return abandoned();
        }
        TransferEvent decided;
        try {
          decided =
              switch (step) {
                case CHECK_FIRST -> checkFirst();
                case FINALIZE -> finalizeOnce();
                case CHECK_AFTER_LOST_ANSWER -> checkAfterLostAnswer();
                case CHECK_AFTER_NOT_FOUND -> checkAfterNotFound();
              };
        } catch (CryptshareException e) {
          decided = onFailure(e);
        }
        if (decided != null) {
          retry.onComplete();
          return decided;
        }
      }
    }

    private @Nullable TransferEvent checkFirst() {
      if (transferExists()) {
        log.info(
            "{} was finalized before this worker took it over; publishing PROCESSING",
            trackingId());
        return processing(api.statusUrlOf(sender(), trackingId()));
      }
      mayHaveFinalized = false;
      if (lastCheck) {
        return abandoned();
      }
      log.info("{} was not finalized yet; finalizing it", trackingId());
      step = Step.FINALIZE;
      return null;
    }

    private TransferEvent finalizeOnce() {
      URI statusUrl;
      try {
        statusUrl = withToken(this::timedFinalize);
      } catch (ForeignLocationException e) {
        // The finalize took effect; only the URL is suspicious. The canonical one is safe to poll.
        log.warn(
            "Cryptshare finalized {} but named a status URL outside its origin; using the"
                + " canonical status URL",
            trackingId());
        statusUrl = api.statusUrlOf(sender(), trackingId());
      }
      // DEBUG, not INFO: one line per transfer costs more CPU than its finalize request, and the
      // events topic (PROCESSING with its event id) is the audit trail of every decision.
      log.debug("Cryptshare accepted the finalize of {}; publishing PROCESSING", trackingId());
      return processing(statusUrl);
    }

    private URI timedFinalize(String token) {
      long start = System.nanoTime();
      try {
        var statusUrl = api.finalizeSession(sender(), trackingId(), token);
        metrics.finalizeCall(server(), "created", Duration.ofNanos(System.nanoTime() - start));
        return statusUrl;
      } catch (ForeignLocationException e) {
        metrics.finalizeCall(server(), "created", Duration.ofNanos(System.nanoTime() - start));
        throw e;
      } catch (CryptshareException e) {
        if (ServerGuard.notSentCause(e) == null) {
          metrics.finalizeCall(
              server(), e.kind().tag(), Duration.ofNanos(System.nanoTime() - start));
        }
        throw e;
      }
    }

    private @Nullable TransferEvent checkAfterLostAnswer() {
      if (transferExists()) {
        log.info(
            "The unanswered finalize of {} had taken effect; publishing PROCESSING", trackingId());
        return processing(api.statusUrlOf(sender(), trackingId()));
      }
      mayHaveFinalized = false;
      if (lastCheck) {
        return abandoned();
      }
      log.info(
          "The unanswered finalize of {} had not taken effect; finalizing again", trackingId());
      step = Step.FINALIZE;
      return null;
    }

    private @Nullable TransferEvent checkAfterNotFound() throws InterruptedException {
      if (transferExists()) {
        log.info(
            "Finalize of {} answered 404 but the transfer exists: an earlier finalize had"
                + " succeeded; publishing PROCESSING",
            trackingId());
        return processing(api.statusUrlOf(sender(), trackingId()));
      }
      // Neither the finalize nor the status knows the transfer: its session is gone.
      mayHaveFinalized = false;
      return refused(Objects.requireNonNull(notFound, "notFound"));
    }

    private boolean transferExists() {
      try {
        withToken(token -> api.transferStatus(api.statusUrlOf(sender(), trackingId()), token));
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
      var token = api.token(sender());
      try {
        requestSent = true;
        return call.apply(token.value());
      } catch (CryptshareException.ErrorResponse e) {
        if (!e.isInvalidToken() || tokenRenewed) {
          throw e;
        }
        tokenRenewed = true;
        api.invalidateToken(sender(), token);
        log.info(
            "Cryptshare refused the verification token used for {}; fetching a fresh one and"
                + " trying once more",
            trackingId());
        requestSent = false;
        var fresh = api.token(sender());
        requestSent = true;
        return call.apply(fresh.value());
      }
    }

    private @Nullable TransferEvent onFailure(CryptshareException e) throws InterruptedException {
      var notSent = ServerGuard.notSentCause(e);
      if (notSent != null) {
        if (stopSwitch.isStopping()) {
          throw new InterruptedException("stopping");
        }
        if (notSent.circuitOpen()) {
          // No call was made: wait for the circuit, without counting a retry.
          var left = Duration.between(clock.instant(), progress.deadline());
          if (left.isNegative() || left.isZero()) {
            return abandoned();
          }
          guard.awaitTransition(left.compareTo(CIRCUIT_RECHECK) < 0 ? left : CIRCUIT_RECHECK);
          return null;
        }
        return retryLater(e, "throttled", "Request for {} was not sent ({}); trying again in {}");
      }
      boolean finalizeAnswer = step == Step.FINALIZE && requestSent;
      if (finalizeAnswer && e.mayHaveTakenEffect()) {
        mayHaveFinalized = true;
        step = Step.CHECK_AFTER_LOST_ANSWER;
        return retryLater(
            e,
            e.kind().tag(),
            "Finalize of {} got no usable answer ({}); checking the transfer status in {}");
      }
      if (e instanceof CryptshareException.ErrorResponse answer) {
        if (finalizeAnswer && answer.httpStatus() == 404) {
          log.info(
              "Finalize of {} answered 404; checking whether an earlier finalize had succeeded",
              trackingId());
          mayHaveFinalized = true;
          notFound = answer;
          step = Step.CHECK_AFTER_NOT_FOUND;
          return null;
        }
        if (answer.kind().isRefusal()) {
          return refused(answer);
        }
      }
      return retryLater(e, e.kind().tag(), "Call to Cryptshare for {} failed ({}); retrying in {}");
    }

    private @Nullable TransferEvent retryLater(
        CryptshareException e, String cause, String logPattern) throws InterruptedException {
      failures++;
      if (ServerGuard.notSentCause(e) == null) {
        lastError = e;
      }
      long millis = retry.onError(e);
      var delay = millis < 0 ? null : Duration.ofMillis(millis);
      if (delay == null || clock.instant().plus(delay).isAfter(progress.deadline())) {
        if (mayHaveFinalized && !lastCheck) {
          // Abandoning a transfer that may exist is the worst outcome: look once more, now.
          lastCheck = true;
          log.info(
              "Retry budget for {} is spent; checking once more whether its finalize took effect",
              trackingId());
          return null;
        }
        return abandoned();
      }
      metrics.retried(server(), cause);
      log.warn(logPattern, trackingId(), describe(e), delay);
      pauser.pause(delay);
      return null;
    }

    private TransferEvent processing(URI statusUrl) {
      return TransferEvent.processing(server(), sender(), trackingId(), clock.instant(), statusUrl);
    }

    /**
     * The one way to {@code REJECTED}: a refusal once a finalize may have taken effect is retried
     * instead (the status may still tell), and ends {@code ABANDONED} when the budget is spent.
     */
    private @Nullable TransferEvent refused(CryptshareException.ErrorResponse answer)
        throws InterruptedException {
      if (mayHaveFinalized) {
        if (++refusedChecks >= MAX_REFUSED_CHECKS) {
          // A refusal (e.g. 3002: the sender's verification is gone, a caller's token expired)
          // repeats; more checks would only hold the transfer until its budget is spent.
          lastError = answer;
          failures++;
          return abandoned();
        }
        return retryLater(
            answer,
            "refused",
            "Cryptshare refused a request for {} ({}) after a finalize that may have taken"
                + " effect; checking the transfer status again in {}");
      }
      return rejected(answer);
    }

    private TransferEvent rejected(CryptshareException.ErrorResponse answer) {
      log.warn(
          "Cryptshare refused the finalize of {} ({}); publishing REJECTED",
          trackingId(),
          describe(answer));
      return TransferEvent.failedFinalize(
          server(),
          sender(),
          trackingId(),
          TransferState.REJECTED,
          clock.instant(),
          new TransferError(
              ErrorCodes.CRYPTSHARE_REJECTED,
              answer.errorMessage(),
              answer.httpStatus(),
              answer.errorCode()));
    }

    private TransferEvent abandoned() {
      var budget = Duration.between(progress.acceptedAt(), progress.deadline());
      var last = lastError;
      var answer = last instanceof CryptshareException.ErrorResponse r ? r : null;
      var message =
          last == null
              ? "Retry budget of %s spent before a request could be sent (circuit of server '%s'"
                      .formatted(budget, server())
                  + " open or requests throttled)"
              : "Retry budget of %s spent after %d failed attempts; last error: %s"
                  .formatted(budget, failures, describe(last));
      if (mayHaveFinalized) {
        message = "The finalize may have taken effect, but no status check could tell: " + message;
      }
      log.warn("Giving up on {}: {}; publishing ABANDONED", trackingId(), message);
      return TransferEvent.failedFinalize(
          server(),
          sender(),
          trackingId(),
          TransferState.ABANDONED,
          clock.instant(),
          new TransferError(
              mayHaveFinalized
                  ? ErrorCodes.FINALIZE_OUTCOME_UNKNOWN
                  : ErrorCodes.RETRY_BUDGET_SPENT,
              message,
              answer == null ? null : answer.httpStatus(),
              answer == null ? null : answer.errorCode()));
    }

    private String server() {
      return command.server();
    }

    private String sender() {
      return command.sender();
    }

    private String trackingId() {
      return command.trackingId();
    }
  }

  /** A short description for logs and events: never headers, tokens or the client id. */
  static String describe(CryptshareException e) {
    return switch (e) {
      case CryptshareException.ErrorResponse r ->
          "HTTP %d%s: %s"
              .formatted(
                  r.httpStatus(),
                  r.errorCode() == null ? "" : ", errorCode " + r.errorCode(),
                  r.errorMessage());
      case CryptshareException.Unreachable u -> "server unreachable (" + causeName(u) + ")";
      case CryptshareException.OutcomeUnknown u ->
          "no answer, the request may have taken effect (" + causeName(u) + ")";
    };
  }

  private static String causeName(Throwable e) {
    if (e.getCause() instanceof ServerGuard.NotSent notSent) {
      return notSent.getMessage();
    }
    return e.getCause() == null ? "unknown cause" : e.getCause().getClass().getSimpleName();
  }
}

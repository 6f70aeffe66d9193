package io.github.cspipeline.simulator.verification;

import io.github.cspipeline.simulator.api.ApiException;
import io.github.cspipeline.simulator.api.Caller;
import io.github.cspipeline.simulator.api.Ids;
import io.github.cspipeline.simulator.config.SimulatorProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Sender verification: verification codes (email mode), tokens (client-id and email mode) and the
 * senders the control API marked unverified. Every other sender is verified.
 */
@Service
public class VerificationService {

  /** A code mailed to a sender, valid for one token request of the same client. */
  record PendingCode(String clientId, String code, Instant validUntil) {}

  /** The answer of {@code GET /api/users/{email}/verification}. */
  public record Status(
      boolean verified, @Nullable Instant validUntil, List<String> verificationMethods) {}

  private static final int TOKEN_LENGTH = 48;
  private static final Duration CODE_VALIDITY = Duration.ofMinutes(15);
  private static final int PURGE_EVERY = 1_000;

  private final Clock clock;
  private final Ids ids;
  private final Duration tokenValidity;
  private final Set<String> registeredClientIds;
  private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();
  private final Map<String, PendingCode> codes = new ConcurrentHashMap<>();
  private final Set<String> unverifiedSenders = ConcurrentHashMap.newKeySet();
  // Only senders the control API set to something else than the default 401.
  private final Map<String, HttpStatus> invalidTokenStatus = new ConcurrentHashMap<>();
  private final AtomicInteger issuedSincePurge = new AtomicInteger();

  public VerificationService(Clock clock, Ids ids, SimulatorProperties properties) {
    this.clock = clock;
    this.ids = ids;
    this.tokenValidity = properties.tokenValidity();
    this.registeredClientIds = Set.copyOf(properties.registeredClientIds());
  }

  /**
   * Issues a token: with a verification code (email mode) or, for a registered client id, without
   * one (client-id mode).
   */
  public IssuedToken issueToken(
      Caller caller, String senderKey, @Nullable String verificationCode) {
    String clientId = caller.requireClientId();
    if (verificationCode == null) {
      if (!isRegistered(clientId)) {
        throw ApiException.invalidVerificationData();
      }
    } else {
      PendingCode pending = codes.get(senderKey);
      boolean matches =
          pending != null
              && pending.clientId().equals(clientId)
              && pending.code().equals(verificationCode)
              && clock.instant().isBefore(pending.validUntil());
      if (!matches || !codes.remove(senderKey, pending)) {
        throw ApiException.invalidVerificationData();
      }
    }
    purgeExpiredTokensNowAndThen();
    IssuedToken token =
        new IssuedToken(
            ids.alphanumeric(TOKEN_LENGTH),
            clientId,
            senderKey,
            clock.instant().plus(tokenValidity));
    tokens.put(token.token(), token);
    return token;
  }

  /** "Mails" a verification code; the control API reads it. */
  public void sendCode(Caller caller, String senderKey) {
    codes.put(
        senderKey,
        new PendingCode(
            caller.requireClientId(), ids.digits(6), clock.instant().plus(CODE_VALIDITY)));
  }

  /**
   * The caller's token if it is valid for this sender and client id and the sender is verified;
   * else 3002 with the sender's {@link #invalidTokenStatus(String) status}.
   */
  public IssuedToken requireVerified(Caller caller, String senderKey) {
    IssuedToken token = validToken(caller, senderKey);
    if (token == null) {
      throw ApiException.notVerified(invalidTokenStatus(senderKey));
    }
    return token;
  }

  /** 3002 for a valid token that is not the one that created the session. */
  public ApiException sessionTokenMismatch(String senderKey) {
    return ApiException.sessionTokenMismatch(invalidTokenStatus(senderKey));
  }

  /**
   * The status of a 3002 refusal of this sender's token on a sender endpoint: 401 unless the
   * control API chose 403.
   */
  public HttpStatus invalidTokenStatus(String senderKey) {
    return invalidTokenStatus.getOrDefault(senderKey, HttpStatus.UNAUTHORIZED);
  }

  /**
   * @param status 401 or 403
   * @throws IllegalArgumentException for any other status
   */
  public void setInvalidTokenStatus(String senderKey, int status) {
    if (status == HttpStatus.UNAUTHORIZED.value()) {
      invalidTokenStatus.remove(senderKey);
    } else if (status == HttpStatus.FORBIDDEN.value()) {
      invalidTokenStatus.put(senderKey, HttpStatus.FORBIDDEN);
    } else {
      throw new IllegalArgumentException("invalidTokenStatus must be 401 or 403");
    }
  }

  public Status status(Caller caller, String senderKey) {
    IssuedToken token = validToken(caller, senderKey);
    List<String> methods =
        isRegistered(caller.requireClientId()) ? List.of("CLIENT_ID", "EMAIL") : List.of("EMAIL");
    return new Status(token != null, token == null ? null : token.validUntil(), methods);
  }

  public void setVerified(String senderKey, boolean verified) {
    if (verified) {
      unverifiedSenders.remove(senderKey);
    } else {
      unverifiedSenders.add(senderKey);
    }
  }

  /**
   * Forgets every token issued for the sender, as a server restart or an administrator's revocation
   * would: requests with them answer 3002 (401 or 403, see {@link #invalidTokenStatus(String)}),
   * and a new token can be requested at once.
   *
   * @return how many tokens were revoked
   */
  public int revokeTokens(String senderKey) {
    int before = tokens.size();
    tokens.values().removeIf(token -> token.senderKey().equals(senderKey));
    return before - tokens.size();
  }

  public boolean isVerified(String senderKey) {
    return !unverifiedSenders.contains(senderKey);
  }

  public @Nullable String pendingCode(String senderKey) {
    PendingCode pending = codes.get(senderKey);
    return pending == null ? null : pending.code();
  }

  public void clear() {
    tokens.clear();
    codes.clear();
    unverifiedSenders.clear();
    invalidTokenStatus.clear();
  }

  private @Nullable IssuedToken validToken(Caller caller, String senderKey) {
    String value = caller.verificationToken();
    if (value == null) {
      return null;
    }
    IssuedToken token = tokens.get(value);
    if (token == null
        || !token.isValidAt(clock.instant())
        || !token.senderKey().equals(senderKey)
        || !token.clientId().equals(caller.clientId())
        || !isVerified(senderKey)) {
      return null;
    }
    return token;
  }

  private boolean isRegistered(String clientId) {
    return registeredClientIds.isEmpty() || registeredClientIds.contains(clientId);
  }

  // Benchmarks ask for many tokens; dropping expired ones now and then keeps memory flat.
  private void purgeExpiredTokensNowAndThen() {
    if (issuedSincePurge.incrementAndGet() % PURGE_EVERY == 0) {
      Instant now = clock.instant();
      tokens.values().removeIf(token -> !token.isValidAt(now));
    }
  }
}

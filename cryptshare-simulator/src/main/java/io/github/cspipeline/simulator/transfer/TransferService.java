package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.api.ApiException;
import io.github.cspipeline.simulator.api.Caller;
import io.github.cspipeline.simulator.api.Ids;
import io.github.cspipeline.simulator.api.PathVariables;
import io.github.cspipeline.simulator.config.SimulatorProperties;
import io.github.cspipeline.simulator.config.SimulatorSettings;
import io.github.cspipeline.simulator.policy.SenderPolicies;
import io.github.cspipeline.simulator.session.FileInfo;
import io.github.cspipeline.simulator.session.Outcome;
import io.github.cspipeline.simulator.session.Recipients;
import io.github.cspipeline.simulator.session.Session;
import io.github.cspipeline.simulator.session.SessionStore;
import io.github.cspipeline.simulator.session.TransferSettings;
import io.github.cspipeline.simulator.verification.IssuedToken;
import io.github.cspipeline.simulator.verification.VerificationService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/** Finalize, status and list: everything that turns a session into a transfer and reads it. */
@Service
public class TransferService {

  /** A transfer as one caller may see it. */
  public record Seen(Transfer transfer, String callerToken) {}

  private static final int RECIPIENT_ID_LENGTH = 12;
  private static final int FILE_ID_LENGTH = 10;
  private static final String AUTO_FILE_NAME = "document.pdf";
  private static final long AUTO_FILE_SIZE = 1024;

  private final SessionStore sessions;
  private final TransferStore transfers;
  private final VerificationService verification;
  private final SenderPolicies policies;
  private final SimulatorSettings settings;
  private final Ids ids;
  private final Clock clock;
  private final RandomGenerator random;
  private final Duration retentionPeriod;
  private final Recipients autoRecipients;

  public TransferService(
      SessionStore sessions,
      TransferStore transfers,
      VerificationService verification,
      SenderPolicies policies,
      SimulatorSettings settings,
      Ids ids,
      Clock clock,
      RandomGenerator random,
      SimulatorProperties properties) {
    this.sessions = sessions;
    this.transfers = transfers;
    this.verification = verification;
    this.policies = policies;
    this.settings = settings;
    this.ids = ids;
    this.clock = clock;
    this.random = random;
    this.retentionPeriod = properties.retentionPeriod();
    this.autoRecipients = Recipients.to(List.of(properties.autoSessionRecipient()));
  }

  /**
   * Finalizes a session, checking in this order: 3002 (401 or 403, per sender) unless the token is
   * valid, 404/2003 for an unknown or already finalized tracking id, 3002 unless the token is the
   * session's, 403/3010 or 403/3011 when a policy rejects the sender, 409/2001 without files or
   * with a file not fully uploaded.
   */
  public Transfer finalize(Caller caller, String sender, String trackingId) {
    String senderKey = PathVariables.senderKey(sender);
    PathVariables.trackingId(trackingId);
    IssuedToken token = verification.requireVerified(caller, senderKey);
    Session session = sessions.get(trackingId);
    if (session == null) {
      return finalizeWithoutSession(sender, senderKey, trackingId, token);
    }
    if (!session.senderKey().equals(senderKey)) {
      throw ApiException.notFound("transfer session");
    }
    if (!session.acceptsToken(token.token())) {
      throw verification.sessionTokenMismatch(senderKey);
    }
    if (!session.isOpen()) {
      throw ApiException.notFound("transfer session");
    }
    policies.check(senderKey);
    Session.Snapshot snapshot = session.close();
    Instant now = clock.instant();
    SimulatorSettings.Values current = settings.current();
    Duration processing =
        snapshot.processingTime() != null ? snapshot.processingTime() : current.processingTime();
    Transfer transfer =
        new Transfer(
            trackingId,
            snapshot.sender(),
            senderKey,
            snapshot.creatingToken() != null ? snapshot.creatingToken() : token.token(),
            snapshot.recipients(),
            recipientIds(snapshot.recipients()),
            snapshot.fileInfos(),
            snapshot.settings(),
            now,
            now.plus(processing),
            expiration(snapshot.settings(), now),
            snapshot.outcome() != null ? snapshot.outcome() : draw(current.failedRatio()));
    // The id was a session, so it cannot be a transfer yet: the add always succeeds.
    transfers.add(transfer);
    sessions.remove(session);
    return transfer;
  }

  private Transfer finalizeWithoutSession(
      String sender, String senderKey, String trackingId, IssuedToken token) {
    SimulatorSettings.Values current = settings.current();
    if (!current.autoSessions() || transfers.contains(trackingId)) {
      throw ApiException.notFound("transfer session");
    }
    policies.check(senderKey);
    Instant now = clock.instant();
    Transfer transfer =
        new Transfer(
            trackingId,
            sender,
            senderKey,
            token.token(),
            autoRecipients,
            recipientIds(autoRecipients),
            List.of(
                new FileInfo(
                    ids.alphanumeric(FILE_ID_LENGTH), AUTO_FILE_NAME, AUTO_FILE_SIZE, null)),
            TransferSettings.DEFAULTS,
            now,
            now.plus(current.processingTime()),
            now.plus(retentionPeriod),
            draw(current.failedRatio()));
    if (!transfers.add(transfer)) {
      throw ApiException.notFound("transfer session");
    }
    return transfer;
  }

  /**
   * Adds a finalized transfer as if a seeded session (one uploaded file, these recipients) had been
   * finalized now, for bulk seeding through the control API; no finalize call is counted.
   *
   * @param outcome how it ends; drawn with the failed ratio when absent
   * @param processingTime how long it stays {@code PROCESSING}; the configured one when absent
   * @return false, and no effect, when the tracking id is taken
   */
  public boolean seedFinalized(
      String trackingId,
      String sender,
      Recipients recipients,
      @Nullable Outcome outcome,
      @Nullable Duration processingTime) {
    if (sessions.get(trackingId) != null) {
      return false;
    }
    Instant now = clock.instant();
    SimulatorSettings.Values current = settings.current();
    return transfers.add(
        new Transfer(
            trackingId,
            sender,
            PathVariables.senderKey(sender),
            null,
            recipients,
            recipientIds(recipients),
            List.of(
                new FileInfo(
                    ids.alphanumeric(FILE_ID_LENGTH), AUTO_FILE_NAME, AUTO_FILE_SIZE, null)),
            TransferSettings.DEFAULTS,
            now,
            now.plus(processingTime != null ? processingTime : current.processingTime()),
            now.plus(retentionPeriod),
            outcome != null ? outcome : draw(current.failedRatio())));
  }

  /** The sender's transfer, if the caller's token is valid for that sender. */
  public Seen status(Caller caller, String sender, String trackingId) {
    String senderKey = PathVariables.senderKey(sender);
    PathVariables.trackingId(trackingId);
    IssuedToken token = verification.requireVerified(caller, senderKey);
    Transfer transfer = transfers.get(trackingId);
    if (transfer == null || !transfer.senderKey().equals(senderKey)) {
      throw ApiException.notFound("transfer");
    }
    return new Seen(transfer, token.token());
  }

  public TransferStore.Page list(Caller caller, String sender, int page, int pageSize) {
    String senderKey = PathVariables.senderKey(sender);
    verification.requireVerified(caller, senderKey);
    return transfers.page(senderKey, page, pageSize);
  }

  public Instant now() {
    return clock.instant();
  }

  private Instant expiration(TransferSettings transferSettings, Instant finalizedAt) {
    Instant explicit = transferSettings.expirationDate();
    return explicit != null ? explicit : finalizedAt.plus(retentionPeriod);
  }

  private List<String> recipientIds(Recipients recipients) {
    List<String> result = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      result.add(ids.alphanumeric(RECIPIENT_ID_LENGTH));
    }
    return result;
  }

  private Outcome draw(double failedRatio) {
    if (failedRatio <= 0) {
      return Outcome.ACTIVE;
    }
    return failedRatio >= 1 || random.nextDouble() < failedRatio ? Outcome.FAILED : Outcome.ACTIVE;
  }

  /** For seeding through the control API: whether a tracking id is taken. */
  public boolean isTaken(String trackingId) {
    return transfers.contains(trackingId) || sessions.get(trackingId) != null;
  }

  public @Nullable Transfer transfer(String trackingId) {
    return transfers.get(trackingId);
  }
}

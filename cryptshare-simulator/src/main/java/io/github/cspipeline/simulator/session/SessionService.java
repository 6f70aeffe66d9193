package io.github.cspipeline.simulator.session;

import io.github.cspipeline.simulator.api.ApiException;
import io.github.cspipeline.simulator.api.ApiTime;
import io.github.cspipeline.simulator.api.Caller;
import io.github.cspipeline.simulator.api.Ids;
import io.github.cspipeline.simulator.api.PathVariables;
import io.github.cspipeline.simulator.config.SimulatorProperties;
import io.github.cspipeline.simulator.session.SessionRequests.Creation;
import io.github.cspipeline.simulator.session.SessionRequests.FileCreation;
import io.github.cspipeline.simulator.session.SessionRequests.MailBody;
import io.github.cspipeline.simulator.session.SessionRequests.Patch;
import io.github.cspipeline.simulator.session.SessionRequests.RecipientsBody;
import io.github.cspipeline.simulator.verification.IssuedToken;
import io.github.cspipeline.simulator.verification.VerificationService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/** The transfer-session endpoints: create, inspect, edit, files and their content. */
@Service
public class SessionService {

  private static final int FILE_ID_LENGTH = 10;
  private static final String SECURITY_MODE = "ONE_TIME_PASSWORD";

  private final SessionStore sessions;
  private final VerificationService verification;
  private final Ids ids;
  private final Clock clock;
  private final Duration retentionPeriod;

  public SessionService(
      SessionStore sessions,
      VerificationService verification,
      Ids ids,
      Clock clock,
      SimulatorProperties properties) {
    this.sessions = sessions;
    this.verification = verification;
    this.ids = ids;
    this.clock = clock;
    this.retentionPeriod = properties.retentionPeriod();
  }

  public Session create(Caller caller, String sender, @Nullable Creation body) {
    String senderKey = PathVariables.senderKey(sender);
    IssuedToken token = verification.requireVerified(caller, senderKey);
    Recipients recipients = Recipients.NONE;
    TransferSettings settings = TransferSettings.DEFAULTS;
    if (body != null) {
      recipients = recipients(body.recipients(), recipients);
      if (body.sender() != null) {
        settings = settings.withSender(body.sender().name(), body.sender().phone());
      }
    }
    while (true) {
      Session session =
          new Session(
              ids.trackingId(), sender, senderKey, token.token(), recipients, settings, null, null);
      if (sessions.add(session)) {
        return session;
      }
    }
  }

  /**
   * The open session of this sender, if the caller's token is valid and the one that created it.
   */
  public Session access(Caller caller, String sender, String trackingId) {
    String senderKey = PathVariables.senderKey(sender);
    PathVariables.trackingId(trackingId);
    IssuedToken token = verification.requireVerified(caller, senderKey);
    Session session = sessions.get(trackingId);
    if (session == null || !session.senderKey().equals(senderKey) || !session.isOpen()) {
      throw ApiException.notFound("transfer session");
    }
    if (!session.acceptsToken(token.token())) {
      throw verification.sessionTokenMismatch(senderKey);
    }
    return session;
  }

  public void patch(Session session, Patch patch) {
    TransferSettings old = session.settings();
    Instant expiration = old.expirationDate();
    if (patch.expirationDate() != null) {
      expiration = ApiTime.parse("expirationDate", patch.expirationDate());
      if (!expiration.isAfter(clock.instant())) {
        throw ApiException.transferRules("the expiration date lies in the past");
      }
    }
    PasswordMode passwordMode = old.passwordMode();
    if (patch.securityMode() != null) {
      String name = patch.securityMode().name();
      if (name != null && !name.equals(SECURITY_MODE)) {
        throw ApiException.transferRules("security mode " + name + " is not available");
      }
      var config = patch.securityMode().config();
      if (config != null && config.passwordMode() != null) {
        passwordMode = passwordMode(config.passwordMode());
      }
    }
    var message = patch.notificationMessage();
    var sender = patch.sender();
    TransferSettings settings =
        new TransferSettings(
            expiration,
            passwordMode,
            message != null ? message.subject() : old.notificationSubject(),
            message != null ? message.body() : old.notificationBody(),
            or(patch.sendRecipientNotification(), old.sendRecipientNotification()),
            or(patch.sendDownloadNotifications(), old.sendDownloadNotifications()),
            or(patch.sendUploadSummary(), old.sendUploadSummary()),
            or(patch.sendDownloadSummary(), old.sendDownloadSummary()),
            or(patch.showFileNames(), old.showFileNames()),
            or(patch.showZipFileContent(), old.showZipFileContent()),
            sender != null ? sender.name() : old.senderName(),
            sender != null ? sender.phone() : old.senderPhone(),
            patch.senderLanguage() != null ? patch.senderLanguage() : old.senderLanguage(),
            patch.recipientLanguage() != null ? patch.recipientLanguage() : old.recipientLanguage(),
            patch.classificationId() != null ? patch.classificationId() : old.classificationId());
    session.update(recipients(patch.recipients(), session.recipients()), settings);
  }

  public FileInfo addFile(Session session, @Nullable FileCreation body) {
    if (body == null) {
      throw ApiException.missing("request body");
    }
    if (body.fileName() == null || body.fileName().isBlank()) {
      throw ApiException.missing("fileName");
    }
    if (body.size() == null) {
      throw ApiException.missing("size");
    }
    if (body.size() < 0) {
      throw ApiException.invalid("size");
    }
    FileInfo file =
        new FileInfo(
            ids.alphanumeric(FILE_ID_LENGTH), body.fileName(), body.size(), body.checksum());
    session.addFile(file, false);
    return file;
  }

  /** Counts the uploaded bytes; the content itself is not kept. */
  public void putContent(Session session, String fileId, InputStream content) {
    PathVariables.id("file-id", fileId);
    session.file(fileId);
    session.contentReceived(fileId, drain(content));
  }

  public void deleteFile(Session session, String fileId) {
    PathVariables.id("file-id", fileId);
    session.removeFile(fileId);
  }

  public void delete(Session session) {
    session.discard();
    sessions.remove(session);
  }

  /** The expiration a transfer finalized now would get. */
  public Instant expirationOf(TransferSettings settings, Instant finalizedAt) {
    Instant explicit = settings.expirationDate();
    return explicit != null ? explicit : finalizedAt.plus(retentionPeriod);
  }

  public Instant now() {
    return clock.instant();
  }

  /** Parses and checks recipient lists; {@code null} keeps the current ones. */
  public static Recipients recipients(@Nullable RecipientsBody body, Recipients current) {
    if (body == null) {
      return current;
    }
    return new Recipients(mails(body.to()), mails(body.cc()), mails(body.bcc()));
  }

  public static PasswordMode passwordMode(String value) {
    try {
      return PasswordMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("passwordMode");
    }
  }

  private static List<String> mails(@Nullable List<MailBody> list) {
    if (list == null) {
      return List.of();
    }
    List<String> mails = new ArrayList<>(list.size());
    for (MailBody entry : list) {
      if (entry == null || entry.mail() == null || !PathVariables.isEmail(entry.mail())) {
        throw ApiException.invalid("recipient mail");
      }
      mails.add(entry.mail());
    }
    return mails;
  }

  private static boolean or(@Nullable Boolean value, boolean fallback) {
    return value != null ? value : fallback;
  }

  private static long drain(InputStream content) {
    byte[] buffer = new byte[8192];
    long total = 0;
    try {
      for (int read; (read = content.read(buffer)) != -1; ) {
        total += read;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }
}

package io.github.cspipeline.simulator.session;

import io.github.cspipeline.simulator.api.ApiTime;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A transfer session as the API shows it: the answer of {@code GET .../transfer-sessions/{id}} and
 * the {@code transfer} part of a transfer's status.
 */
public record TransferSessionView(
    @Nullable String classificationId,
    @Nullable String confidentialMessageFileId,
    @Nullable String expirationDate,
    String fileChecksumAlgorithm,
    List<FileView> files,
    @Nullable NotificationMessage notificationMessage,
    String recipientLanguage,
    RecipientsView recipients,
    SecurityMode securityMode,
    boolean sendDownloadNotifications,
    boolean sendDownloadSummary,
    boolean sendRecipientNotification,
    boolean sendUploadSummary,
    SenderView sender,
    String senderLanguage,
    boolean showFileNames,
    boolean showZipFileContent) {

  public record FileView(
      String id,
      String fileName,
      long size,
      @Nullable String checksum,
      String href,
      String state) {}

  public record NotificationMessage(@Nullable String subject, @Nullable String body) {}

  public record RecipientsView(List<Mail> to, List<Mail> cc, List<Mail> bcc) {}

  public record Mail(String mail) {}

  public record SecurityMode(String name, SecurityModeConfig config) {}

  public record SecurityModeConfig(String passwordMode) {}

  public record SenderView(@Nullable String name, @Nullable String phone) {}

  public static TransferSessionView of(
      TransferSettings settings, Recipients recipients, List<FileView> files, Instant expiration) {
    NotificationMessage message =
        settings.notificationSubject() == null && settings.notificationBody() == null
            ? null
            : new NotificationMessage(settings.notificationSubject(), settings.notificationBody());
    return new TransferSessionView(
        settings.classificationId(),
        null,
        ApiTime.format(expiration),
        "SHA256",
        files,
        message,
        settings.recipientLanguage(),
        new RecipientsView(mails(recipients.to()), mails(recipients.cc()), mails(recipients.bcc())),
        new SecurityMode(
            "ONE_TIME_PASSWORD", new SecurityModeConfig(settings.passwordMode().name())),
        settings.sendDownloadNotifications(),
        settings.sendDownloadSummary(),
        settings.sendRecipientNotification(),
        settings.sendUploadSummary(),
        new SenderView(settings.senderName(), settings.senderPhone()),
        settings.senderLanguage(),
        settings.showFileNames(),
        settings.showZipFileContent());
  }

  private static List<Mail> mails(List<String> addresses) {
    return addresses.stream().map(Mail::new).toList();
  }
}

package io.github.cspipeline.simulator.session;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Request bodies of the transfer-session endpoints, shaped after the OpenAPI export
 * (TransferSessionCreationOptions, TransferSessionPatchable, TransferFileCreationOptionsReq).
 * Everything is optional on the wire; the service checks what it needs.
 */
public final class SessionRequests {

  private SessionRequests() {}

  public record Creation(@Nullable RecipientsBody recipients, @Nullable SenderBody sender) {}

  public record RecipientsBody(
      @Nullable List<MailBody> to, @Nullable List<MailBody> cc, @Nullable List<MailBody> bcc) {}

  public record MailBody(@Nullable String mail) {}

  public record SenderBody(@Nullable String name, @Nullable String phone) {}

  public record NotificationBody(@Nullable String subject, @Nullable String body) {}

  public record SecurityModeBody(@Nullable String name, @Nullable SecurityModeConfigBody config) {}

  public record SecurityModeConfigBody(@Nullable String passwordMode, @Nullable String password) {}

  /** [ours] {@code recipients} is accepted here too, although the 1.8 export lacks it. */
  public record Patch(
      @Nullable String expirationDate,
      @Nullable NotificationBody notificationMessage,
      @Nullable SecurityModeBody securityMode,
      @Nullable Boolean sendRecipientNotification,
      @Nullable Boolean sendDownloadNotifications,
      @Nullable Boolean sendUploadSummary,
      @Nullable Boolean sendDownloadSummary,
      @Nullable Boolean showFileNames,
      @Nullable Boolean showZipFileContent,
      @Nullable SenderBody sender,
      @Nullable String senderLanguage,
      @Nullable String recipientLanguage,
      @Nullable String classificationId,
      @Nullable RecipientsBody recipients) {}

  public record FileCreation(
      @Nullable String fileName, @Nullable Long size, @Nullable String checksum) {}
}

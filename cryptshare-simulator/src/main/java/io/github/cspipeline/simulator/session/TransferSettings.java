package io.github.cspipeline.simulator.session;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a transfer session that a finalized transfer keeps. Shared and immutable: a PATCH
 * replaces the whole value, and sessions that never change it all share {@link #DEFAULTS}.
 */
public record TransferSettings(
    @Nullable Instant expirationDate,
    PasswordMode passwordMode,
    @Nullable String notificationSubject,
    @Nullable String notificationBody,
    boolean sendRecipientNotification,
    boolean sendDownloadNotifications,
    boolean sendUploadSummary,
    boolean sendDownloadSummary,
    boolean showFileNames,
    boolean showZipFileContent,
    @Nullable String senderName,
    @Nullable String senderPhone,
    String senderLanguage,
    String recipientLanguage,
    @Nullable String classificationId) {

  public static final TransferSettings DEFAULTS =
      new TransferSettings(
          null,
          PasswordMode.GENERATED,
          null,
          null,
          true,
          false,
          false,
          false,
          true,
          false,
          null,
          null,
          "en",
          "en",
          null);

  public TransferSettings withSender(@Nullable String name, @Nullable String phone) {
    return new TransferSettings(
        expirationDate,
        passwordMode,
        notificationSubject,
        notificationBody,
        sendRecipientNotification,
        sendDownloadNotifications,
        sendUploadSummary,
        sendDownloadSummary,
        showFileNames,
        showZipFileContent,
        name,
        phone,
        senderLanguage,
        recipientLanguage,
        classificationId);
  }
}

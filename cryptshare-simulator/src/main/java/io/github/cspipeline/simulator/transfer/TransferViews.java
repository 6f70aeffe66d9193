package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.api.Links;
import io.github.cspipeline.simulator.session.FileInfo;
import io.github.cspipeline.simulator.session.Outcome;
import io.github.cspipeline.simulator.session.PasswordMode;
import io.github.cspipeline.simulator.session.Recipients;
import io.github.cspipeline.simulator.session.TransferSessionView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** The JSON shapes of transfer status and transfer list, after the OpenAPI export. */
public final class TransferViews {

  public record TransferStatus(Status status, TransferSessionView transfer) {}

  public record Status(
      String state,
      boolean warnings,
      boolean emlCreationFailed,
      SenderStatus sender,
      List<FileStatus> files,
      List<RecipientStatus> recipients) {}

  public record SenderStatus(String email, boolean notificationFailed) {}

  public record FileStatus(String id, boolean removed, @Nullable String removalCause) {}

  public record RecipientStatus(
      String id,
      String mail,
      @Nullable String downloadUrl,
      boolean notificationFailed,
      List<FileDownload> fileDownloads) {}

  public record FileDownload(String id, List<Download> downloads) {}

  public record Download(String downloadDate, String retrievalMethod) {}

  public record ListItem(
      String trackingId, String state, List<RecipientStatus> recipients, String href) {}

  private TransferViews() {}

  public static TransferStatus status(
      Transfer transfer, String state, String callerToken, String base) {
    List<String> removalCauses = removalCauses(transfer, state);
    List<FileStatus> files = new ArrayList<>(transfer.files().size());
    List<TransferSessionView.FileView> fileViews = new ArrayList<>(transfer.files().size());
    boolean warnings = false;
    for (int i = 0; i < transfer.files().size(); i++) {
      FileInfo file = transfer.files().get(i);
      String cause = removalCauses.get(i);
      warnings |= cause != null;
      files.add(new FileStatus(file.id(), cause != null, cause));
      fileViews.add(
          new TransferSessionView.FileView(
              file.id(),
              file.fileName(),
              file.size(),
              file.checksum(),
              Links.transferFile(base, transfer.sender(), transfer.trackingId(), file.id()),
              fileState(state, cause)));
    }
    Status status =
        new Status(
            state,
            warnings,
            false,
            new SenderStatus(transfer.sender(), false),
            files,
            recipients(transfer, callerToken, base));
    TransferSessionView view =
        TransferSessionView.of(
            transfer.settings(), transfer.recipients(), fileViews, transfer.expiresAt());
    return new TransferStatus(status, view);
  }

  public static ListItem listItem(Transfer transfer, Instant now, String callerToken, String base) {
    return new ListItem(
        transfer.trackingId(),
        transfer.state(now),
        recipients(transfer, callerToken, base),
        Links.status(base, transfer.sender(), transfer.trackingId()));
  }

  private static List<RecipientStatus> recipients(
      Transfer transfer, String callerToken, String base) {
    // The API hides the link only when no password protects it and someone else asks.
    boolean hideLinks =
        transfer.settings().passwordMode() == PasswordMode.NONE
            && !callerToken.equals(transfer.creatingToken());
    List<FileDownload> noDownloads =
        transfer.files().stream().map(file -> new FileDownload(file.id(), List.of())).toList();
    Recipients recipients = transfer.recipients();
    List<String> mails =
        Stream.of(recipients.to(), recipients.cc(), recipients.bcc())
            .flatMap(List::stream)
            .toList();
    List<RecipientStatus> result = new ArrayList<>(mails.size());
    for (int i = 0; i < mails.size(); i++) {
      String id = transfer.recipientIds().get(i);
      result.add(
          new RecipientStatus(
              id, mails.get(i), hideLinks ? null : Links.download(base, id), false, noDownloads));
    }
    return result;
  }

  /** Per file: why it was removed, or null while it is there. */
  private static List<@Nullable String> removalCauses(Transfer transfer, String state) {
    int count = transfer.files().size();
    List<@Nullable String> causes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      causes.add(removalCause(transfer, state, i));
    }
    return causes;
  }

  private static @Nullable String removalCause(Transfer transfer, String state, int index) {
    if (state.equals(TransferStates.FAILED)) {
      return "Processing of the transfer failed (simulated).";
    }
    if (state.startsWith(TransferStates.DELETED_PREFIX)) {
      return "The transfer was deleted (" + state + ").";
    }
    if (state.equals(TransferStates.ACTIVE)
        && transfer.outcome() == Outcome.ACTIVE_WITH_WARNINGS
        && index == 0) {
      return "The file was removed by the virus scan (simulated).";
    }
    return null;
  }

  private static String fileState(String state, @Nullable String removalCause) {
    if (removalCause != null) {
      return "REMOVED";
    }
    return state.equals(TransferStates.PROCESSING) ? "UPLOADED" : "ACTIVE";
  }
}

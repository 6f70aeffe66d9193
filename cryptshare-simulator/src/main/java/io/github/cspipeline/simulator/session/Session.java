package io.github.cspipeline.simulator.session;

import io.github.cspipeline.simulator.api.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An open transfer session. Its mutable parts are guarded by the session itself, so concurrent
 * requests on different sessions never contend. Once {@link #close() closed} by a finalize, every
 * further use answers 404/2003.
 */
public final class Session {

  /** What the session held at one moment; also what a finalize turns into a transfer. */
  public record Snapshot(
      String trackingId,
      String sender,
      String senderKey,
      @Nullable String creatingToken,
      Recipients recipients,
      List<FileState> files,
      TransferSettings settings,
      @Nullable Outcome outcome,
      @Nullable Duration processingTime) {

    public List<FileInfo> fileInfos() {
      return files.stream().map(FileState::info).toList();
    }
  }

  /** A file with its upload state ({@code INITIALIZED} or {@code UPLOADED}). */
  public record FileState(FileInfo info, boolean uploaded) {
    public String state() {
      return uploaded ? "UPLOADED" : "INITIALIZED";
    }
  }

  private static final class SessionFile {
    private final FileInfo info;
    private boolean uploaded;

    private SessionFile(FileInfo info, boolean uploaded) {
      this.info = info;
      this.uploaded = uploaded;
    }
  }

  private final String trackingId;
  private final String sender;
  private final String senderKey;
  private final @Nullable String creatingToken;
  private final @Nullable Outcome outcome;
  private final @Nullable Duration processingTime;
  private final Map<String, SessionFile> files = new LinkedHashMap<>();
  private Recipients recipients;
  private TransferSettings settings;
  private boolean closed;

  /**
   * @param creatingToken the token that created the session and alone may use it; {@code null} for
   *     a session seeded through the control API, which any valid token of the sender may use
   * @param outcome the seeded outcome; {@code null} draws one at finalize
   * @param processingTime the seeded processing time; {@code null} takes the configured one
   */
  public Session(
      String trackingId,
      String sender,
      String senderKey,
      @Nullable String creatingToken,
      Recipients recipients,
      TransferSettings settings,
      @Nullable Outcome outcome,
      @Nullable Duration processingTime) {
    this.trackingId = trackingId;
    this.sender = sender;
    this.senderKey = senderKey;
    this.creatingToken = creatingToken;
    this.recipients = recipients;
    this.settings = settings;
    this.outcome = outcome;
    this.processingTime = processingTime;
  }

  public String trackingId() {
    return trackingId;
  }

  public String sender() {
    return sender;
  }

  public String senderKey() {
    return senderKey;
  }

  /** Whether this token may use the session. */
  public boolean acceptsToken(String token) {
    return creatingToken == null || creatingToken.equals(token);
  }

  public synchronized Snapshot snapshot() {
    requireOpen();
    return snapshotUnchecked();
  }

  public synchronized void update(Recipients newRecipients, TransferSettings newSettings) {
    requireOpen();
    recipients = newRecipients;
    settings = newSettings;
  }

  public synchronized TransferSettings settings() {
    return settings;
  }

  public synchronized Recipients recipients() {
    return recipients;
  }

  public synchronized void addFile(FileInfo file, boolean uploaded) {
    requireOpen();
    files.put(file.id(), new SessionFile(file, uploaded));
  }

  public synchronized FileInfo file(String fileId) {
    requireOpen();
    SessionFile file = files.get(fileId);
    if (file == null) {
      throw ApiException.notFound("file");
    }
    return file.info;
  }

  /**
   * Records a content upload. A PUT replaces earlier content, so the file counts as uploaded
   * exactly when this one PUT carried all announced bytes.
   */
  public synchronized void contentReceived(String fileId, long bytes) {
    requireOpen();
    SessionFile file = files.get(fileId);
    if (file == null) {
      throw ApiException.notFound("file");
    }
    if (bytes > file.info.size()) {
      file.uploaded = false;
      throw ApiException.transferRules(
          "file " + fileId + " received " + bytes + " bytes, announced " + file.info.size());
    }
    file.uploaded = bytes == file.info.size();
  }

  public synchronized void removeFile(String fileId) {
    requireOpen();
    if (files.remove(fileId) == null) {
      throw ApiException.notFound("file");
    }
  }

  /**
   * Closes the session for a finalize, if the transfer rules allow it: at least one file, every
   * file fully uploaded. Exactly one of concurrent finalizes gets the snapshot; the others get
   * 404/2003.
   */
  public synchronized Snapshot close() {
    requireOpen();
    if (files.isEmpty()) {
      throw ApiException.transferRules("the transfer has no file");
    }
    for (SessionFile file : files.values()) {
      if (!file.uploaded) {
        throw ApiException.transferRules("file " + file.info.id() + " is not fully uploaded");
      }
    }
    closed = true;
    return snapshotUnchecked();
  }

  /** Deletes the session; afterwards it behaves as finalized. */
  public synchronized void discard() {
    requireOpen();
    closed = true;
  }

  public synchronized boolean isOpen() {
    return !closed;
  }

  private void requireOpen() {
    if (closed) {
      throw ApiException.notFound("transfer session");
    }
  }

  private Snapshot snapshotUnchecked() {
    List<FileState> states = new ArrayList<>(files.size());
    for (SessionFile file : files.values()) {
      states.add(new FileState(file.info, file.uploaded));
    }
    return new Snapshot(
        trackingId,
        sender,
        senderKey,
        creatingToken,
        recipients,
        List.copyOf(states),
        settings,
        outcome,
        processingTime);
  }
}

package io.github.cspipeline.model.event;

/** The pipeline's states of a transfer; see the contract's state table. */
public enum TransferState {
  /** Cryptshare accepted the finalize (201); {@code statusUrl} is set. */
  PROCESSING(false),
  /** Processing done, recipients can download; {@code recipients[].downloadUrl} is set. */
  ACTIVE(true),
  /** Cryptshare processing failed (all files removed). */
  FAILED(true),
  /** The transfer was deleted while watched; {@code cryptshareState} says how. */
  DELETED(true),
  /** Cryptshare refused the finalize; {@code error} says why. */
  REJECTED(true),
  /** The pipeline gave up (retry budget or watch deadline spent); {@code error} says why. */
  ABANDONED(true);

  private final boolean terminal;

  TransferState(boolean terminal) {
    this.terminal = terminal;
  }

  /** Whether no further event follows this one for the same transfer. */
  public boolean isTerminal() {
    return terminal;
  }
}

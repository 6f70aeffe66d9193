package io.github.cspipeline.poller.poll;

import io.github.cspipeline.model.event.TransferState;
import java.util.Locale;

/** What a transfer state reported by Cryptshare means for its watch (see ADR-NOTES). */
public final class StateMapping {

  /** The meaning of one Cryptshare state. */
  public sealed interface Meaning {}

  /** The transfer ended; publish {@code state}. */
  public record Terminal(TransferState state) implements Meaning {}

  /** Cryptshare is still working on the transfer; poll again. */
  public record InProgress() implements Meaning {}

  /**
   * A state this code does not know, e.g. one a newer Cryptshare added: poll again and warn, since
   * guessing a terminal state could publish a wrong one and ending silently would lose the
   * transfer.
   */
  public record Unrecognised() implements Meaning {}

  private static final String DELETED_PREFIX = "DELETED_BY_";

  private StateMapping() {}

  public static Meaning of(String cryptshareState) {
    var state = cryptshareState.trim().toUpperCase(Locale.ROOT);
    return switch (state) {
      case "ACTIVE" -> new Terminal(TransferState.ACTIVE);
      case "FAILED" -> new Terminal(TransferState.FAILED);
      // PENDING is undocumented and only seen in the list endpoint; treat it like PROCESSING.
      case "PROCESSING", "PENDING" -> new InProgress();
      default ->
          // DELETED_BY_EXPIRATION, _REVOCATION, _ADMIN, _SECURITY and any future cause: a deleted
          // transfer cannot come back, whatever deleted it.
          state.startsWith(DELETED_PREFIX) && state.length() > DELETED_PREFIX.length()
              ? new Terminal(TransferState.DELETED)
              : new Unrecognised();
    };
  }
}

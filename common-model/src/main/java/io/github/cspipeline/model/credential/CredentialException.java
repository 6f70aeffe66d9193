package io.github.cspipeline.model.credential;

/**
 * A credential that cannot be decrypted: unknown key id, malformed text, tampered data or a command
 * it was not made for. The message never contains the credential or the token.
 */
public final class CredentialException extends RuntimeException {

  /** Why decryption failed, for dead-letter reasons and metrics. */
  public enum Reason {
    /** Not of the form {@code v1.<keyId>.<base64url>}. */
    MALFORMED,
    /** Encrypted with a key this process does not have. */
    UNKNOWN_KEY,
    /** Altered, or bound to another server, sender or tracking id. */
    TAMPERED
  }

  private final Reason reason;

  public CredentialException(Reason reason, String message) {
    this(reason, message, null);
  }

  CredentialException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}

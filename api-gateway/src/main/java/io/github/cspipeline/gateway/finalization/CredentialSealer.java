package io.github.cspipeline.gateway.finalization;

/**
 * Encrypts a caller's verification token for the command, bound to the transfer it was given for.
 * The worker holds the same keys and opens it. Kept behind this interface so that the gateway can
 * move to the shared implementation in common-model without touching its callers.
 */
public interface CredentialSealer {

  /** Whether keys are configured; without them pass-through tokens are refused. */
  boolean enabled();

  /**
   * The sealed token, {@code v1.<keyId>.<base64url(iv || ciphertext)>}.
   *
   * @throws IllegalStateException when no key is configured
   */
  String seal(String token, String server, String sender, String trackingId);
}

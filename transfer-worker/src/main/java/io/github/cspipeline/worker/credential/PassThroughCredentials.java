package io.github.cspipeline.worker.credential;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.model.credential.CredentialException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns a command's encrypted credential back into the caller's verification token, with the keys
 * of {@code cryptshare.worker.credential-keys}. The token is decrypted when it is needed and never
 * kept, logged or published.
 */
public final class PassThroughCredentials {

  private final @Nullable CredentialCipher cipher;

  /**
   * @param base64Keys keys by key id, standard base64 of 32 bytes; may be empty
   * @throws IllegalArgumentException a key is not valid (the message never quotes it)
   */
  public PassThroughCredentials(Map<String, String> base64Keys) {
    var keys = new LinkedHashMap<String, byte[]>();
    base64Keys.forEach(
        (id, key) -> {
          try {
            keys.put(id, CredentialCipher.decodeKey(key));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "cryptshare.worker.credential-keys." + id + " is not valid base64");
          }
        });
    this.cipher = keys.isEmpty() ? null : CredentialCipher.forDecryption(keys);
  }

  /**
   * @return the caller's token, or null when the command carries no credential (the worker then
   *     verifies the sender itself)
   * @throws CredentialException no configured key decrypts it for this command
   */
  public @Nullable String tokenOf(FinalizeCommand command) {
    var credential = command.credential();
    if (credential == null) {
      return null;
    }
    if (cipher == null) {
      throw new CredentialException(
          CredentialException.Reason.UNKNOWN_KEY,
          "command carries a credential, but no cryptshare.worker.credential-keys are configured");
    }
    return cipher.decrypt(credential, command.server(), command.sender(), command.trackingId());
  }

  @Override
  public String toString() {
    return "PassThroughCredentials[" + (cipher == null ? "no keys" : cipher) + "]";
  }
}

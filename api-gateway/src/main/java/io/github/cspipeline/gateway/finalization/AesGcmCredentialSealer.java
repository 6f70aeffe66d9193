package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.model.credential.CredentialCipher;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Seals tokens with the shared {@link CredentialCipher} (AES-256-GCM, bound to server, sender and
 * trackingId), the one the worker opens them with. Keys rotate by id: add the new key, switch
 * {@code credential-key-id}, and remove the old key once no command sealed with it is pending.
 */
@Component
public class AesGcmCredentialSealer implements CredentialSealer {

  private final @Nullable CredentialCipher cipher;

  @Autowired
  public AesGcmCredentialSealer(GatewayProperties properties) {
    this(properties.gateway().credentialKeys(), properties.gateway().credentialKeyId());
  }

  AesGcmCredentialSealer(Map<String, String> base64Keys, @Nullable String keyId) {
    var keys = new LinkedHashMap<String, byte[]>();
    base64Keys.forEach((id, base64) -> keys.put(id, CredentialCipher.decodeKey(base64)));
    this.cipher = keys.isEmpty() || keyId == null ? null : new CredentialCipher(keys, keyId);
  }

  @Override
  public boolean enabled() {
    return cipher != null;
  }

  @Override
  public String seal(String token, String server, String sender, String trackingId) {
    if (cipher == null) {
      throw new IllegalStateException("No credential key configured");
    }
    return cipher.encrypt(token, server, sender, trackingId);
  }

  /** Opens a sealed token with whichever configured key it names; for tests and diagnosis. */
  String open(String credential, String server, String sender, String trackingId) {
    if (cipher == null) {
      throw new IllegalStateException("No credential key configured");
    }
    return cipher.decrypt(credential, server, sender, trackingId);
  }
}

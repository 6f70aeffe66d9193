package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.config.GatewayProperties;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * AES-256-GCM with a random 12-byte IV and the transfer ({@code server\nsender\ntrackingId}) as
 * additional authenticated data, so a sealed token cannot be replayed for another transfer. The key
 * id in the text names the key, so keys can be rotated: add the new key, switch {@code
 * credential-key-id}, and remove the old key once no command sealed with it is pending.
 */
@Component
public class AesGcmCredentialSealer implements CredentialSealer {

  static final String VERSION = "v1";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final Map<String, SecretKey> keys = new HashMap<>();
  private final @Nullable String keyId;
  private final SecureRandom random = new SecureRandom();

  @org.springframework.beans.factory.annotation.Autowired
  public AesGcmCredentialSealer(GatewayProperties properties) {
    this(properties.gateway().credentialKeys(), properties.gateway().credentialKeyId());
  }

  AesGcmCredentialSealer(Map<String, String> base64Keys, @Nullable String keyId) {
    base64Keys.forEach(
        (id, base64) -> {
          byte[] bytes;
          try {
            bytes = Base64.getDecoder().decode(base64.trim());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Credential key " + id + " is not base64", e);
          }
          if (bytes.length != 32) {
            throw new IllegalArgumentException(
                "Credential key " + id + " must be 32 bytes, not " + bytes.length);
          }
          keys.put(id, new SecretKeySpec(bytes, "AES"));
        });
    this.keyId = keys.isEmpty() ? null : keyId;
  }

  @Override
  public boolean enabled() {
    return keyId != null;
  }

  @Override
  public String seal(String token, String server, String sender, String trackingId) {
    if (keyId == null) {
      throw new IllegalStateException("No credential key configured");
    }
    var iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      var cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(keyId), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad(server, sender, trackingId));
      var sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
      var out = ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
      return VERSION
          + "."
          + keyId
          + "."
          + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /** Opens a sealed token with whichever configured key it names; for tests and diagnosis. */
  String open(String credential, String server, String sender, String trackingId)
      throws GeneralSecurityException {
    var parts = credential.split("\\.", 3);
    if (parts.length != 3 || !parts[0].equals(VERSION) || !keys.containsKey(parts[1])) {
      throw new GeneralSecurityException("Not a sealed credential of a known key");
    }
    var bytes = Base64.getUrlDecoder().decode(parts[2]);
    var cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        keys.get(parts[1]),
        new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
    cipher.updateAAD(aad(server, sender, trackingId));
    return new String(
        cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
  }

  private static byte[] aad(String server, String sender, String trackingId) {
    return (server + "\n" + sender + "\n" + trackingId).getBytes(StandardCharsets.UTF_8);
  }
}

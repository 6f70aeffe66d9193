package io.github.cspipeline.model.credential;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a caller's Cryptshare verification token into {@code FinalizeCommand.credential} and
 * back. AES-256-GCM with a random 12-byte IV and a 128-bit tag; the additional authenticated data
 * is the UTF-8 of {@code server + "\n" + sender + "\n" + trackingId}, so a credential only decrypts
 * for the command it was made for.
 *
 * <p>Text format: {@code v1.<keyId>.<base64url(iv || ciphertext-with-tag)>}, base64url without
 * padding. Key rotation: encrypt with the current key, decrypt with any key still known by its id.
 *
 * <p>Thread-safe. Neither the token nor key material ever appears in messages or {@link
 * #toString()}.
 */
public final class CredentialCipher {

  /** The version prefix of the text format. */
  public static final String VERSION = "v1";

  /** Key ids: short, and free of the format's separator. */
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int KEY_BYTES = 32;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKey> keys;
  private final String currentKeyId;

  /**
   * @param keys every key this process may decrypt with, by key id (1-64 of {@code [A-Za-z0-9_-]});
   *     each exactly 32 bytes
   * @param currentKeyId the key new credentials are encrypted with; must be one of {@code keys}
   */
  public CredentialCipher(Map<String, byte[]> keys, String currentKeyId) {
    var copy = new LinkedHashMap<String, SecretKey>();
    keys.forEach(
        (id, key) -> {
          if (!KEY_ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                "credential key id must be 1-64 of [A-Za-z0-9_-], got '%s'".formatted(id));
          }
          if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                "credential key '%s' must be %d bytes (it has %d)"
                    .formatted(id, KEY_BYTES, key == null ? 0 : key.length));
          }
          copy.put(id, new SecretKeySpec(key.clone(), "AES"));
        });
    if (!copy.containsKey(currentKeyId)) {
      throw new IllegalArgumentException(
          "the current credential key id '%s' is not among the keys %s"
              .formatted(currentKeyId, copy.keySet()));
    }
    this.keys = Map.copyOf(copy);
    this.currentKeyId = currentKeyId;
  }

  /** A cipher that only decrypts (the worker): {@code currentKeyId} is any of the keys. */
  public static CredentialCipher forDecryption(Map<String, byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one credential key is needed");
    }
    return new CredentialCipher(keys, keys.keySet().iterator().next());
  }

  /** Decodes a key given as standard base64 (as in configuration). */
  public static byte[] decodeKey(String base64) {
    try {
      return Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      // The message of the JDK's exception may quote parts of the key.
      throw new IllegalArgumentException("credential key is not valid base64");
    }
  }

  /**
   * @return {@code v1.<keyId>.<base64url(iv || ciphertext)>}
   */
  public String encrypt(String token, String server, String sender, String trackingId) {
    Objects.requireNonNull(token, "token");
    var iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      var cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad(server, sender, trackingId));
      var sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
      var out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
      return VERSION
          + "."
          + currentKeyId
          + "."
          + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /**
   * @return the token
   * @throws CredentialException unknown key id, malformed text, or data that was altered or made
   *     for another command
   */
  public String decrypt(String credential, String server, String sender, String trackingId) {
    var parts = credential.split("\\.", -1);
    if (parts.length != 3 || !VERSION.equals(parts[0])) {
      throw new CredentialException(
          CredentialException.Reason.MALFORMED, "credential is not of the form v1.<keyId>.<data>");
    }
    var keyId = parts[1];
    var key = keys.get(keyId);
    if (key == null) {
      throw new CredentialException(
          CredentialException.Reason.UNKNOWN_KEY,
          "credential was encrypted with key id '%s', which is not configured"
              .formatted(KEY_ID.matcher(keyId).matches() ? keyId : "(malformed)"));
    }
    byte[] data;
    try {
      data = Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new CredentialException(
          CredentialException.Reason.MALFORMED, "credential data is not base64url");
    }
    if (data.length < IV_BYTES + TAG_BITS / 8) {
      throw new CredentialException(
          CredentialException.Reason.MALFORMED, "credential data is too short");
    }
    try {
      var cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Arrays.copyOf(data, IV_BYTES)));
      cipher.updateAAD(aad(server, sender, trackingId));
      var plain = cipher.doFinal(data, IV_BYTES, data.length - IV_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new CredentialException(
          CredentialException.Reason.TAMPERED,
          "credential does not authenticate: altered, or made for another server, sender or"
              + " tracking id");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /** Whether this cipher has the key a credential names (no decryption attempted). */
  public boolean knowsKeyOf(String credential) {
    var parts = credential.split("\\.", -1);
    return parts.length == 3 && VERSION.equals(parts[0]) && keys.containsKey(parts[1]);
  }

  private static byte[] aad(String server, String sender, String trackingId) {
    return (server + "\n" + sender + "\n" + trackingId).getBytes(StandardCharsets.UTF_8);
  }

  /** Names the key ids only. */
  @Override
  public String toString() {
    return "CredentialCipher[keyIds=%s, current=%s]".formatted(keys.keySet(), currentKeyId);
  }
}

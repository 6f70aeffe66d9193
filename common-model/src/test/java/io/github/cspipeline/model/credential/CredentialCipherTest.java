package io.github.cspipeline.model.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialCipherTest {

  static final String TOKEN = "SecretVerificationToken0123456789";
  static final byte[] KEY_A = key(1);
  static final byte[] KEY_B = key(2);

  final CredentialCipher cipher = new CredentialCipher(Map.of("a", KEY_A), "a");

  static byte[] key(int fill) {
    var key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  String encrypt() {
    return cipher.encrypt(TOKEN, "default", "alice@example.com", "20261126-101500-AbCdEfGh");
  }

  @Test
  void a_credential_decrypts_to_the_token_for_the_same_command() {
    var credential = encrypt();

    assertThat(credential).startsWith("v1.a.").doesNotContain(TOKEN).doesNotContain("=");
    assertThat(
            cipher.decrypt(credential, "default", "alice@example.com", "20261126-101500-AbCdEfGh"))
        .isEqualTo(TOKEN);
  }

  @Test
  void each_encryption_uses_a_fresh_iv() {
    assertThat(encrypt()).isNotEqualTo(encrypt());
  }

  @Test
  void a_tampered_credential_is_refused() {
    var credential = encrypt();
    var data = Base64.getUrlDecoder().decode(credential.substring("v1.a.".length()));
    data[data.length - 1] ^= 1;
    var tampered = "v1.a." + Base64.getUrlEncoder().withoutPadding().encodeToString(data);

    assertThatThrownBy(
            () ->
                cipher.decrypt(
                    tampered, "default", "alice@example.com", "20261126-101500-AbCdEfGh"))
        .isInstanceOfSatisfying(
            CredentialException.class,
            e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.TAMPERED))
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void a_credential_made_for_another_command_is_refused() {
    var credential = encrypt();

    for (var other :
        new String[][] {
          {"other", "alice@example.com", "20261126-101500-AbCdEfGh"},
          {"default", "mallory@example.com", "20261126-101500-AbCdEfGh"},
          {"default", "alice@example.com", "20261126-101500-Other000"}
        }) {
      assertThatThrownBy(() -> cipher.decrypt(credential, other[0], other[1], other[2]))
          .isInstanceOfSatisfying(
              CredentialException.class,
              e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.TAMPERED));
    }
  }

  @Test
  void after_rotation_old_credentials_still_decrypt_and_new_ones_use_the_new_key() {
    var old = encrypt();
    var rotated = new CredentialCipher(Map.of("a", KEY_A, "b", KEY_B), "b");

    var fresh = rotated.encrypt(TOKEN, "default", "alice@example.com", "20261126-101500-AbCdEfGh");

    assertThat(fresh).startsWith("v1.b.");
    assertThat(rotated.decrypt(old, "default", "alice@example.com", "20261126-101500-AbCdEfGh"))
        .isEqualTo(TOKEN);
    assertThat(rotated.decrypt(fresh, "default", "alice@example.com", "20261126-101500-AbCdEfGh"))
        .isEqualTo(TOKEN);
  }

  @Test
  void a_credential_of_an_unknown_key_is_refused_by_name() {
    var other = new CredentialCipher(Map.of("b", KEY_B), "b");
    var credential =
        other.encrypt(TOKEN, "default", "alice@example.com", "20261126-101500-AbCdEfGh");

    assertThat(cipher.knowsKeyOf(credential)).isFalse();
    assertThatThrownBy(
            () ->
                cipher.decrypt(
                    credential, "default", "alice@example.com", "20261126-101500-AbCdEfGh"))
        .isInstanceOfSatisfying(
            CredentialException.class,
            e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.UNKNOWN_KEY))
        .hasMessageContaining("'b'")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void malformed_credentials_are_refused() {
    for (var malformed : new String[] {"", "v1.a", "v2.a.AAAA", "v1.a.!!!", "v1.a.AAAA", TOKEN}) {
      assertThatThrownBy(
              () -> cipher.decrypt(malformed, "default", "alice@example.com", "20261126-101500-x"))
          .isInstanceOfSatisfying(
              CredentialException.class,
              e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.MALFORMED))
          .hasMessageNotContaining(TOKEN);
    }
  }

  @Test
  void keys_of_the_wrong_size_or_an_unknown_current_key_are_refused() {
    assertThatThrownBy(() -> new CredentialCipher(Map.of("a", new byte[16]), "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new CredentialCipher(Map.of("a", KEY_A), "b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CredentialCipher(Map.of("a.b", KEY_A), "a.b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void to_string_names_key_ids_but_no_key_material() {
    assertThat(cipher.toString()).isEqualTo("CredentialCipher[keyIds=[a], current=a]");
  }

  @Test
  void a_base64_key_decodes_and_a_broken_one_is_refused_without_echo() {
    assertThat(CredentialCipher.decodeKey(Base64.getEncoder().encodeToString(KEY_A)))
        .isEqualTo(KEY_A);
    assertThatThrownBy(() -> CredentialCipher.decodeKey("not*base64*secret"))
        .hasMessageNotContaining("secret");
  }
}

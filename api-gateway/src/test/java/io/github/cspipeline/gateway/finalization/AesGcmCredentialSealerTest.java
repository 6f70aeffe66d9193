package io.github.cspipeline.gateway.finalization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.credential.CredentialException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AesGcmCredentialSealerTest {

  private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String K2 = Base64.getEncoder().encodeToString(filled(7));

  @Test
  void seals_in_the_contract_format_and_opens_again() throws Exception {
    var sealer = new AesGcmCredentialSealer(Map.of("k1", K1), "k1");

    var sealed = sealer.seal("secret-token", "default", "alice@example.com", "t-1");

    assertThat(sealed).matches("v1\\.k1\\.[A-Za-z0-9_-]+").doesNotContain("secret-token");
    // 12-byte IV + 12 bytes of text + 16-byte tag, base64url without padding
    assertThat(Base64.getUrlDecoder().decode(sealed.split("\\.")[2])).hasSize(12 + 12 + 16);
    assertThat(sealer.open(sealed, "default", "alice@example.com", "t-1"))
        .isEqualTo("secret-token");
  }

  @Test
  void the_same_token_sealed_twice_differs() {
    var sealer = new AesGcmCredentialSealer(Map.of("k1", K1), "k1");

    assertThat(sealer.seal("t", "default", "a@example.com", "t-1"))
        .isNotEqualTo(sealer.seal("t", "default", "a@example.com", "t-1"));
  }

  @Test
  void a_sealed_token_cannot_be_opened_for_another_transfer() {
    var sealer = new AesGcmCredentialSealer(Map.of("k1", K1), "k1");
    var sealed = sealer.seal("secret-token", "default", "alice@example.com", "t-1");

    assertThatThrownBy(() -> sealer.open(sealed, "default", "alice@example.com", "t-2"))
        .isInstanceOf(CredentialException.class);
    assertThatThrownBy(() -> sealer.open(sealed, "default", "mallory@example.com", "t-1"))
        .isInstanceOf(CredentialException.class);
  }

  @Test
  void after_rotation_tokens_sealed_with_the_old_key_still_open() throws Exception {
    var before = new AesGcmCredentialSealer(Map.of("k1", K1), "k1");
    var sealedBefore = before.seal("tok", "default", "a@example.com", "t-1");
    var after = new AesGcmCredentialSealer(Map.of("k1", K1, "k2", K2), "k2");

    assertThat(after.seal("tok", "default", "a@example.com", "t-1")).startsWith("v1.k2.");
    assertThat(after.open(sealedBefore, "default", "a@example.com", "t-1")).isEqualTo("tok");
  }

  @Test
  void without_keys_it_is_disabled_and_refuses_to_seal() {
    var sealer = new AesGcmCredentialSealer(Map.of(), null);

    assertThat(sealer.enabled()).isFalse();
    assertThatThrownBy(() -> sealer.seal("t", "default", "a@example.com", "t-1"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_key_of_the_wrong_length_is_a_configuration_error() {
    var short16 = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(() -> new AesGcmCredentialSealer(Map.of("k1", short16), "k1"))
        .hasMessageContaining("32 bytes");
  }

  private static byte[] filled(int value) {
    var bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}

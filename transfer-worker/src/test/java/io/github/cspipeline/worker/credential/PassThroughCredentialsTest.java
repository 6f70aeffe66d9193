package io.github.cspipeline.worker.credential;

import static io.github.cspipeline.worker.WorkerFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.model.credential.CredentialException;
import io.github.cspipeline.worker.WorkerFixtures;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PassThroughCredentialsTest {

  static final byte[] OLD = new byte[32];
  static final byte[] NEW = "0123456789abcdef0123456789abcdef".getBytes();

  static FinalizeCommand withCredential(FinalizeCommand command, byte[] key, String keyId) {
    return WorkerFixtures.withCredential(
        command, "callers-token", new CredentialCipher(Map.of(keyId, key), keyId));
  }

  @Test
  void a_command_without_credential_has_no_pass_through_token() {
    assertThat(new PassThroughCredentials(Map.of()).tokenOf(command("T1"))).isNull();
  }

  @Test
  void credentials_of_every_configured_key_decrypt_during_a_rotation() {
    var credentials =
        new PassThroughCredentials(
            Map.of(
                "old", Base64.getEncoder().encodeToString(OLD),
                "new", Base64.getEncoder().encodeToString(NEW)));

    assertThat(credentials.tokenOf(withCredential(command("T1"), OLD, "old")))
        .isEqualTo("callers-token");
    assertThat(credentials.tokenOf(withCredential(command("T2"), NEW, "new")))
        .isEqualTo("callers-token");
    assertThat(credentials.toString()).doesNotContain(Base64.getEncoder().encodeToString(NEW));
  }

  @Test
  void without_keys_a_credential_cannot_be_used() {
    assertThatThrownBy(
            () ->
                new PassThroughCredentials(Map.of())
                    .tokenOf(withCredential(command("T1"), OLD, "old")))
        .isInstanceOfSatisfying(
            CredentialException.class,
            e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.UNKNOWN_KEY));
  }

  @Test
  void a_broken_key_stops_the_start_without_quoting_it() {
    assertThatThrownBy(() -> new PassThroughCredentials(Map.of("k1", "secret*key*material")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cryptshare.worker.credential-keys.k1")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () ->
                new PassThroughCredentials(
                    Map.of("k1", Base64.getEncoder().encodeToString(new byte[16]))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }
}

package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandValidatorTest {

  static final byte[] KEY = new byte[32];

  final CommandValidator validator =
      new CommandValidator(
          SERVER::equals,
          new PassThroughCredentials(Map.of("k1", Base64.getEncoder().encodeToString(KEY))));

  @Test
  void a_complete_command_for_a_configured_server_is_valid() {
    var command = command("20261126-101500-AbCdEfGh");

    assertThat(validator.validate(command)).isSameAs(command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "../x", "id with space", "ä", "x?y=1"})
  void a_tracking_id_outside_the_contracts_alphabet_is_invalid(String trackingId) {
    assertThatThrownBy(
            () -> validator.validate(FinalizeCommand.of(NOW, SERVER, SENDER, trackingId, null)))
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("trackingId");
  }

  @Test
  void a_tracking_id_longer_than_64_characters_is_invalid() {
    assertThatThrownBy(() -> validator.validate(command("x".repeat(65))))
        .isInstanceOf(InvalidCommandException.class);
  }

  @Test
  void a_server_that_is_not_configured_is_invalid() {
    assertThatThrownBy(
            () -> validator.validate(FinalizeCommand.of(NOW, "other", SENDER, "T1", null)))
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("'other' is not configured");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"alice", "alice@", "@example.com", "a@b@c", "a/b@c.d", "a b@c.d", "a@b?c"})
  void a_sender_that_is_not_an_email_address_is_invalid(String sender) {
    assertThatThrownBy(
            () -> validator.validate(FinalizeCommand.of(NOW, SERVER, sender, "T1", null)))
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("sender");
  }

  @Test
  void a_command_with_a_credential_of_a_known_key_is_valid() {
    var credential =
        new CredentialCipher(Map.of("k1", KEY), "k1").encrypt("token", SERVER, SENDER, "T1");

    var command = FinalizeCommand.of(NOW, SERVER, SENDER, "T1", credential);

    assertThat(validator.validate(command)).isSameAs(command);
  }

  @Test
  void a_command_whose_credential_no_key_decrypts_is_invalid_and_the_reason_hides_it() {
    var foreign =
        new CredentialCipher(Map.of("k2", new byte[32]), "k2")
            .encrypt("secret-token", SERVER, SENDER, "T1");
    var forAnotherCommand =
        new CredentialCipher(Map.of("k1", KEY), "k1").encrypt("secret-token", SERVER, SENDER, "T2");

    for (var credential : new String[] {foreign, forAnotherCommand, "garbage"}) {
      assertThatThrownBy(
              () -> validator.validate(FinalizeCommand.of(NOW, SERVER, SENDER, "T1", credential)))
          .isInstanceOf(InvalidCommandException.class)
          .hasMessageContaining("credential cannot be used")
          .hasMessageNotContaining(credential)
          .hasMessageNotContaining("secret-token");
    }
  }

  @Test
  void without_configured_keys_any_credential_is_invalid() {
    var noKeys = new CommandValidator(SERVER::equals, new PassThroughCredentials(Map.of()));

    assertThatThrownBy(
            () -> noKeys.validate(FinalizeCommand.of(NOW, SERVER, SENDER, "T1", "v1.k1.AAAA")))
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("no cryptshare.worker.credential-keys");
  }

  @Test
  void huge_values_are_shortened_in_the_reason() {
    var huge = "s".repeat(10_000);

    assertThatThrownBy(() -> validator.validate(FinalizeCommand.of(NOW, huge, SENDER, "T1", null)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }
}

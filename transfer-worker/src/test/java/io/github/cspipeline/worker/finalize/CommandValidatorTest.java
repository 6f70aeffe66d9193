package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandValidatorTest {

  static final byte[] KEY = new byte[32];

  final CommandValidator validator =
      new CommandValidator(
          new PassThroughCredentials(Map.of("k1", Base64.getEncoder().encodeToString(KEY))));

  InvalidCommandException invalid(FinalizeCommand command) {
    return catchThrowableOfType(InvalidCommandException.class, () -> validator.validate(command));
  }

  @Test
  void a_complete_command_is_valid() {
    var command = command("20261126-101500-AbCdEfGh");

    assertThat(validator.validate(command)).isSameAs(command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "../x", "id with space", "ä", "x?y=1"})
  void a_tracking_id_outside_the_contracts_alphabet_is_dead_lettered_only(String trackingId) {
    var e = invalid(FinalizeCommand.of(NOW, SERVER, SENDER, trackingId, null));

    assertThat(e).hasMessageContaining("trackingId must be 1-64 of [A-Za-z0-9_-]");
    // No event or state record can be keyed by it: the gateway never accepts it.
    assertThat(e.refused()).isNull();
    assertThat(e.code()).isNull();
  }

  @Test
  void a_tracking_id_longer_than_64_characters_is_dead_lettered_only() {
    assertThat(invalid(command("x".repeat(65))).refused()).isNull();
  }

  @Test
  void a_server_that_is_not_configured_here_is_valid_the_work_waits_for_configuration() {
    var command = FinalizeCommand.of(NOW, "other", SENDER, "T1", null);

    assertThat(validator.validate(command)).isSameAs(command);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alice",
        "alice@",
        "@example.com",
        "a@b@c",
        "a/b@c.d",
        "a b@c.d",
        "a@b?c",
        "\"a@b\"@example.com",
        "alice@localhost"
      })
  void a_sender_the_shared_rules_refuse_is_rejected_with_invalid_command(String sender) {
    var command = FinalizeCommand.of(NOW, SERVER, sender, "T1", null);

    var e = invalid(command);

    assertThat(e.refused()).isSameAs(command);
    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_COMMAND);
    assertThat(e.reason()).isEqualTo("sender must be an email address");
  }

  @Test
  void a_server_id_the_shared_rules_refuse_is_rejected_with_invalid_command() {
    var e = invalid(FinalizeCommand.of(NOW, "a/b", SENDER, "T1", null));

    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_COMMAND);
    assertThat(e.reason()).contains("server must be a server id");
  }

  @Test
  void an_unknown_schema_version_is_rejected_with_invalid_command() {
    var e = invalid(new FinalizeCommand(2, UUID.randomUUID(), NOW, SERVER, SENDER, "T1", null));

    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_COMMAND);
    assertThat(e.reason()).isEqualTo("schemaVersion must be 1 (this version)");
  }

  @Test
  void every_broken_rule_is_named() {
    var e = invalid(FinalizeCommand.of(NOW, "a b", "alice", "T1", null));

    assertThat(e.reason())
        .isEqualTo(
            "server must be a server id: 1-64 of [A-Za-z0-9_.-]; sender must be an email address");
  }

  @Test
  void a_command_with_a_credential_of_a_known_key_is_valid() {
    var credential =
        new CredentialCipher(Map.of("k1", KEY), "k1").encrypt("token", SERVER, SENDER, "T1");

    var command = FinalizeCommand.of(NOW, SERVER, SENDER, "T1", credential);

    assertThat(validator.validate(command)).isSameAs(command);
  }

  @Test
  void a_credential_of_a_key_id_not_configured_here_is_valid_the_work_waits_for_the_key() {
    var credential =
        new CredentialCipher(Map.of("k2", new byte[32]), "k2")
            .encrypt("secret-token", SERVER, SENDER, "T1");
    var command = FinalizeCommand.of(NOW, SERVER, SENDER, "T1", credential);

    assertThat(validator.validate(command)).isSameAs(command);
    var noKeys = new CommandValidator(new PassThroughCredentials(Map.of()));
    assertThat(noKeys.validate(command)).isSameAs(command);
  }

  @Test
  void a_credential_a_configured_key_does_not_decrypt_is_rejected_and_the_reason_hides_it() {
    var forAnotherCommand =
        new CredentialCipher(Map.of("k1", KEY), "k1").encrypt("secret-token", SERVER, SENDER, "T2");
    var tampered = forAnotherCommand.substring(0, forAnotherCommand.length() - 4) + "AAAA";

    for (var credential : new String[] {forAnotherCommand, tampered, "garbage"}) {
      var e = invalid(FinalizeCommand.of(NOW, SERVER, SENDER, "T1", credential));

      assertThat(e.code()).isEqualTo(ErrorCodes.CREDENTIAL_INVALID);
      assertThat(e.reason())
          .contains("credential cannot be used")
          .doesNotContain(credential)
          .doesNotContain("secret-token");
    }
  }

  @Test
  void huge_values_are_never_quoted_in_the_reason() {
    var huge = "s".repeat(10_000);

    assertThatThrownBy(() -> validator.validate(FinalizeCommand.of(NOW, huge, SENDER, "T1", null)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200).doesNotContain("sss"));
  }
}

package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.command.FinalizeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandValidatorTest {

  final CommandValidator validator = new CommandValidator(SERVER::equals);

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
  void a_command_with_a_callers_token_is_not_supported_yet() {
    assertThatThrownBy(
            () -> validator.validate(FinalizeCommand.of(NOW, SERVER, SENDER, "T1", "encrypted")))
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("not supported")
        .hasMessageNotContaining("encrypted");
  }

  @Test
  void huge_values_are_shortened_in_the_reason() {
    var huge = "s".repeat(10_000);

    assertThatThrownBy(() -> validator.validate(FinalizeCommand.of(NOW, huge, SENDER, "T1", null)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }
}

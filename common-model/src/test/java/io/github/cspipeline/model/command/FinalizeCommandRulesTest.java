package io.github.cspipeline.model.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FinalizeCommandRulesTest {

  @Test
  void accepts_a_plain_request() {
    assertThat(FinalizeCommandRules.check("default", "alice@example.com", "20261126-101500-AbCd"))
        .isEmpty();
    assertThat(FinalizeCommandRules.check("cs-2.eu", "a.b+tag@mail.example.co.uk", "x_y-Z0"))
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("io.github.cspipeline.model.command.BadSenders#notASingleHarmlessAddress")
  void refuses_senders_that_are_not_a_single_harmless_address(String sender) {
    assertThat(fields(FinalizeCommandRules.check("default", sender, "t1")))
        .containsExactly("sender");
  }

  @Test
  void refuses_a_sender_longer_than_254_characters() {
    var sender = "a".repeat(60) + "@" + "b".repeat(190) + ".com";
    assertThat(sender).hasSizeGreaterThan(254);
    assertThat(fields(FinalizeCommandRules.check("default", sender, "t1")))
        .containsExactly("sender");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "a.b", "ä", "x y"})
  void refuses_tracking_ids_outside_the_contract(String trackingId) {
    assertThat(fields(FinalizeCommandRules.check("default", "alice@example.com", trackingId)))
        .containsExactly("trackingId");
    assertThat(fields(FinalizeCommandRules.check("default", "alice@example.com", "a".repeat(65))))
        .containsExactly("trackingId");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "https://cs.example.com", "a b", "a/b"})
  void refuses_server_ids_that_are_not_ids(String server) {
    assertThat(fields(FinalizeCommandRules.check(server, "alice@example.com", "t1")))
        .containsExactly("server");
  }

  @Test
  void reports_every_broken_rule_of_a_command_and_its_schema_version() {
    var command =
        new FinalizeCommand(
            2, java.util.UUID.randomUUID(), Instant.EPOCH, "a/b", "nobody", "t/1", null);
    assertThat(fields(FinalizeCommandRules.check(command)))
        .containsExactly("server", "sender", "trackingId", "schemaVersion");
  }

  /** The fields the violations name, in order. */
  private static List<String> fields(List<FinalizeCommandRules.Violation> violations) {
    return violations.stream().map(FinalizeCommandRules.Violation::field).toList();
  }
}

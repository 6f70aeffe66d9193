package io.github.cspipeline.poller.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.event.TransferState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StateMappingTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "ACTIVE, ACTIVE",
    "FAILED, FAILED",
    "DELETED_BY_EXPIRATION, DELETED",
    "DELETED_BY_REVOCATION, DELETED",
    "DELETED_BY_ADMIN, DELETED",
    "DELETED_BY_SECURITY, DELETED",
    "DELETED_BY_SOMETHING_NEW, DELETED",
    "active, ACTIVE",
    "Deleted_By_Admin, DELETED"
  })
  void maps_terminal_cryptshare_states_to_the_pipelines_terminal_state(
      String cryptshareState, TransferState expected) {
    assertThat(StateMapping.of(cryptshareState)).isEqualTo(new StateMapping.Terminal(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROCESSING", "PENDING", "processing", " PENDING "})
  void keeps_watching_a_transfer_cryptshare_is_still_working_on(String cryptshareState) {
    assertThat(StateMapping.of(cryptshareState)).isEqualTo(new StateMapping.InProgress());
  }

  @ParameterizedTest
  @ValueSource(strings = {"UNKNOWN", "ARCHIVED", "", "DELETED_BY_", "DELETED"})
  void treats_states_it_does_not_know_as_unrecognised_instead_of_guessing(String cryptshareState) {
    assertThat(StateMapping.of(cryptshareState)).isEqualTo(new StateMapping.Unrecognised());
  }
}

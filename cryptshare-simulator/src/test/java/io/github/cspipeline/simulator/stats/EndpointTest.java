package io.github.cspipeline.simulator.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

  @ParameterizedTest
  @CsvSource({
    "GET, /api/clients, CLIENTS, ",
    "POST, /api/users/a@example.com/verification/token, TOKEN, ",
    "POST, /api/users/a@example.com/verification/code/email, VERIFICATION, ",
    "GET, /api/users/a@example.com/verification, VERIFICATION, ",
    "POST, /api/users/a@example.com/transfer-sessions, SESSIONS, ",
    "PATCH, /api/users/a@example.com/transfer-sessions/20261126-101500-AbCdEfGh, SESSIONS, ",
    "POST, /api/users/a@example.com/transfer-sessions/20261126-101500-AbCdEfGh, FINALIZE,"
        + " 20261126-101500-AbCdEfGh",
    "POST, /api/users/a@example.com/transfer-sessions/bad.id, FINALIZE, ",
    "POST, /api/users/a@example.com/transfer-sessions/X/files, FILES, ",
    "PUT, /api/users/a@example.com/transfer-sessions/X/files/f1/content, FILES, ",
    "GET, /api/users/a@example.com/transfers, LIST, ",
    "GET, /api/users/a@example.com/transfers/20261126-101500-AbCdEfGh, STATUS,"
        + " 20261126-101500-AbCdEfGh",
    "DELETE, /api/users/a@example.com/transfers/X, OTHER, ",
    "GET, /api/unknown, OTHER, ",
    "GET, /api/users, OTHER, "
  })
  void classifies_requests_by_method_and_path(
      String method, String path, Endpoint endpoint, String trackingId) {
    Endpoint.Classified classified = Endpoint.classify(method, path);

    assertThat(classified.endpoint()).isEqualTo(endpoint);
    assertThat(classified.trackingId()).isEqualTo(trackingId);
  }

  @Test
  void reads_the_sender_a_finalize_names_decoded() {
    Endpoint.Classified classified =
        Endpoint.classify(
            "POST", "/api/users/%22a@b%22@example.com/transfer-sessions/20261126-101500-AbCdEfGh");

    assertThat(classified.sender()).isEqualTo("\"a@b\"@example.com");
  }
}

package io.github.cspipeline.cryptshare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CryptshareServerPropertiesTest {

  static final URI BASE_URL = URI.create("https://cs.example.com");
  static final String CLIENT_ID = "Cl1ent1d".repeat(8);

  static CryptshareServerProperties withClientId(String clientId) {
    return new CryptshareServerProperties(
        BASE_URL, clientId, Duration.ofSeconds(1), Duration.ofSeconds(1), 10, Duration.ZERO);
  }

  @Test
  void a_client_id_with_a_trailing_newline_is_stripped() {
    assertThat(withClientId(CLIENT_ID + "\n").clientId()).isEqualTo(CLIENT_ID);
  }

  @Test
  void a_malformed_client_id_is_refused_without_quoting_it() {
    var mistyped = CLIENT_ID.substring(0, 40) + "-secret-part";

    assertThatThrownBy(() -> withClientId(mistyped))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("50-4000 alphanumerics")
        .hasMessageNotContaining("secret-part");
  }

  @Test
  void no_client_id_is_allowed_for_callers_that_bring_their_own_tokens() {
    assertThat(
            new CryptshareServerProperties(
                    BASE_URL, null, Duration.ZERO, Duration.ZERO, 10, Duration.ZERO)
                .clientId())
        .isNull();
  }

  @Test
  void the_client_id_never_appears_in_the_string_form() {
    assertThat(withClientId(CLIENT_ID).toString()).doesNotContain(CLIENT_ID);
  }
}

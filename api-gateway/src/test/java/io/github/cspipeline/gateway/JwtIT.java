package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.FinalizationApiIT.code;
import static io.github.cspipeline.gateway.GatewayFixtures.FOREIGN_KEYS;
import static io.github.cspipeline.gateway.GatewayFixtures.body;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static io.github.cspipeline.gateway.GatewayFixtures.jwt;
import static io.github.cspipeline.gateway.GatewayFixtures.post;
import static io.github.cspipeline.gateway.GatewayFixtures.uniqueTrackingId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JWT mode: tokens signed by a key made for this run, scoped by their claims. */
class JwtIT extends AbstractGatewayIT {

  @Test
  void a_valid_token_may_finalize_and_read_within_its_scope() {
    var trackingId = uniqueTrackingId("jwt");
    var token = jwt(c -> {});

    var accepted = post(port, token, body("alice@example.com", trackingId));
    var status = get(port, token, "/api/v1/transfers/" + trackingId);

    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(commandsSinceStart()).hasSize(1);
  }

  @Test
  void an_expired_token_is_refused() {
    var token =
        jwt(
            c ->
                c.issueTime(Date.from(Instant.now().minusSeconds(600)))
                    .expirationTime(Date.from(Instant.now().minusSeconds(120))));

    assertUnauthenticated(token);
  }

  @Test
  void a_token_of_another_issuer_is_refused() {
    assertUnauthenticated(jwt(c -> c.issuer("https://evil.test")));
  }

  @Test
  void a_token_for_another_audience_is_refused() {
    assertUnauthenticated(jwt(c -> c.audience("someone-else")));
  }

  @Test
  void a_token_signed_with_an_unknown_key_is_refused() {
    assertUnauthenticated(jwt(FOREIGN_KEYS, c -> {}));
  }

  @Test
  void a_token_without_a_subject_is_refused() {
    assertUnauthenticated(jwt(c -> c.subject(null)));
  }

  @Test
  void a_sender_outside_the_token_scope_is_forbidden() {
    var token = jwt(c -> c.claim("cryptshare_senders", List.of("*@example.com")));

    var response = post(port, token, body("eve@example.org", uniqueTrackingId("jwt")));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(code(response.body())).isEqualTo("FORBIDDEN_SENDER");
    assertThat(nothingEmitted()).isTrue();
  }

  @Test
  void a_server_outside_the_token_scope_is_forbidden() {
    var token = jwt(c -> c.claim("cryptshare_servers", "other"));

    var response = post(port, token, body("alice@example.com", uniqueTrackingId("jwt")));
    var status = get(port, token, "/api/v1/transfers/anything?server=default");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(code(response.body())).isEqualTo("FORBIDDEN_SERVER");
    assertThat(status.statusCode()).isEqualTo(403);
    assertThat(nothingEmitted()).isTrue();
  }

  @Test
  void a_token_without_scope_claims_may_do_nothing() {
    var token = jwt(c -> c.claim("cryptshare_servers", null).claim("cryptshare_senders", null));

    var response = post(port, token, body("alice@example.com", uniqueTrackingId("jwt")));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(nothingEmitted()).isTrue();
  }

  private void assertUnauthenticated(String token) {
    var response = post(port, token, body("alice@example.com", uniqueTrackingId("jwt")));
    var status = get(port, token, "/api/v1/transfers/anything");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(code(response.body())).isEqualTo("UNAUTHENTICATED");
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(status.statusCode()).isEqualTo(401);
    assertThat(nothingEmitted()).isTrue();
  }
}

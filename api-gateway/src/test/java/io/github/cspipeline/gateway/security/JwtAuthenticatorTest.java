package io.github.cspipeline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.config.TestGatewayProperties;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWT mode with keys from a JWK set served on loopback, and the forms of the scope claims. */
class JwtAuthenticatorTest {

  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  private HttpServer jwks;
  private RSAKey key;
  private JwtAuthenticator authenticator;

  @BeforeEach
  void serveJwkSet() throws Exception {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    var pair = generator.generateKeyPair();
    key =
        new RSAKey.Builder((RSAPublicKey) pair.getPublic())
            .privateKey((RSAPrivateKey) pair.getPrivate())
            .keyID("k1")
            .build();
    var body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext(
        "/jwks",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    jwks.start();
    var uri = URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks");
    authenticator = new JwtAuthenticator(properties(uri), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    jwks.stop(0);
  }

  @Test
  void a_token_signed_with_a_key_of_the_jwk_set_is_accepted_with_its_scope() throws Exception {
    var caller =
        authenticator.authenticate(
            token(
                c ->
                    c.claim("cryptshare_servers", List.of("default", "other"))
                        .claim("cryptshare_senders", "*@example.com  ops@example.org")));

    assertThat(caller)
        .hasValueSatisfying(
            c -> {
              assertThat(c.name()).isEqualTo("jwt:platform-a");
              assertThat(c.servers()).containsExactly("default", "other");
              assertThat(c.senders()).containsExactly("*@example.com", "ops@example.org");
              assertThat(c.requestsPerSecond()).isEqualTo(7);
            });
  }

  @Test
  void a_token_not_yet_valid_or_expired_against_the_injected_clock_is_refused() throws Exception {
    assertThat(
            authenticator.authenticate(
                token(c -> c.notBeforeTime(Date.from(NOW.plus(Duration.ofMinutes(5)))))))
        .isEmpty();
    assertThat(
            authenticator.authenticate(
                token(c -> c.expirationTime(Date.from(NOW.minus(Duration.ofMinutes(2)))))))
        .isEmpty();
  }

  @Test
  void garbage_is_refused_without_an_exception() {
    assertThat(authenticator.authenticate("a.b.c")).isEmpty();
    assertThat(authenticator.authenticate("not-a-jwt")).isEmpty();
  }

  private String token(java.util.function.Consumer<JWTClaimsSet.Builder> changes) throws Exception {
    var claims =
        new JWTClaimsSet.Builder()
            .issuer("https://idp.test")
            .subject("platform-a")
            .issueTime(Date.from(NOW))
            .expirationTime(Date.from(NOW.plusSeconds(300)));
    changes.accept(claims);
    var jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT)
                .keyID(key.getKeyID())
                .build(),
            claims.build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static GatewayProperties properties(URI jwkSetUri) {
    return TestGatewayProperties.of(
        new GatewayProperties.Jwt(
            "https://idp.test",
            jwkSetUri,
            null,
            null,
            "cryptshare_servers",
            "cryptshare_senders",
            "sub",
            7),
        10);
  }
}

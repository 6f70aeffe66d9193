package io.github.cspipeline.gateway.security;

import io.github.cspipeline.gateway.config.GatewayProperties;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Verifies JWT bearer tokens when {@code cryptshare.gateway.jwt} is configured: signature (JWK set
 * or public key), validity with one minute of clock skew, issuer and audience. The token's scope
 * comes from its claims; a token without them may do nothing.
 */
@Component
class JwtAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

  private final GatewayProperties.@Nullable Jwt settings;
  private final @Nullable NimbusJwtDecoder decoder;

  JwtAuthenticator(GatewayProperties properties, Clock clock) {
    this.settings = properties.gateway().jwt();
    this.decoder = settings == null ? null : decoder(settings, clock);
  }

  private static NimbusJwtDecoder decoder(GatewayProperties.Jwt settings, Clock clock) {
    var decoder =
        settings.jwkSetUri() != null
            ? NimbusJwtDecoder.withJwkSetUri(settings.jwkSetUri().toString()).build()
            : NimbusJwtDecoder.withPublicKey(rsaPublicKey(settings.publicKey())).build();
    var validators = new ArrayList<OAuth2TokenValidator<Jwt>>();
    var timestamps = new JwtTimestampValidator(Duration.ofMinutes(1));
    timestamps.setClock(clock);
    validators.add(timestamps);
    validators.add(new JwtIssuerValidator(settings.issuer()));
    var audience = settings.audience();
    if (audience != null) {
      validators.add(
          new JwtClaimValidator<Collection<String>>(
              JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience)));
    }
    decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
    return decoder;
  }

  boolean enabled() {
    return decoder != null;
  }

  Optional<Caller> authenticate(String token) {
    if (decoder == null || settings == null) {
      return Optional.empty();
    }
    Jwt jwt;
    try {
      jwt = decoder.decode(token);
    } catch (JwtException e) {
      // The reason helps an operator; the token itself is never logged.
      log.debug("Refused a JWT: {}", e.getMessage());
      return Optional.empty();
    }
    var name = jwt.getClaimAsString(settings.nameClaim());
    if (name == null || name.isBlank()) {
      log.debug("Refused a JWT without the {} claim", settings.nameClaim());
      return Optional.empty();
    }
    return Optional.of(
        new Caller(
            "jwt:" + name,
            list(jwt.getClaim(settings.serversClaim())),
            list(jwt.getClaim(settings.sendersClaim())),
            settings.requestsPerSecond()));
  }

  /** A claim given as a JSON array or as a space-separated string (like OAuth2's scope). */
  private static List<String> list(@Nullable Object claim) {
    if (claim instanceof Collection<?> values) {
      return values.stream().map(String::valueOf).filter(s -> !s.isBlank()).toList();
    }
    if (claim instanceof String value) {
      return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isBlank()).toList();
    }
    return List.of();
  }

  static RSAPublicKey rsaPublicKey(@Nullable String text) {
    if (text == null) {
      throw new IllegalArgumentException("cryptshare.gateway.jwt.public-key is not set");
    }
    var base64 = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    try {
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cryptshare.gateway.jwt.public-key is not an RSA public key (PEM or base64 X.509)", e);
    }
  }
}

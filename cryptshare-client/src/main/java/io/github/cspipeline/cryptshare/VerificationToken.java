package io.github.cspipeline.cryptshare;

import java.time.Instant;
import java.util.Objects;

/**
 * A sender's verification token and when it stops being valid. A secret: never logged.
 *
 * @param value the token
 * @param validUntil when Cryptshare stops accepting it
 */
public record VerificationToken(String value, Instant validUntil) {
  public VerificationToken {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(validUntil, "validUntil");
  }

  @Override
  public String toString() {
    return "VerificationToken[value=***, validUntil=" + validUntil + "]";
  }
}

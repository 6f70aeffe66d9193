package io.github.cspipeline.cryptshare;

/**
 * A status URL that points outside the configured server's origin. Following it could leak the
 * verification token to a foreign host, so no request is ever sent there.
 */
public final class ForeignLocationException extends RuntimeException {
  public ForeignLocationException(String server, String location) {
    super(
        "Status URL '%s' is outside the origin of Cryptshare server '%s'"
            .formatted(location, server));
  }
}

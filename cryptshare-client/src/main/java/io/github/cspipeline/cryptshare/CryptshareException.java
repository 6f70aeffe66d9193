package io.github.cspipeline.cryptshare;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Why a call to Cryptshare did not succeed. The subclasses are the classes of failure the callers
 * decide on: an answer with an error, no connection at all, or an answer that may have been lost.
 */
public abstract sealed class CryptshareException extends RuntimeException
    permits CryptshareException.ErrorResponse,
        CryptshareException.Unreachable,
        CryptshareException.OutcomeUnknown {

  private final String server;

  CryptshareException(String server, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.server = server;
  }

  public String server() {
    return server;
  }

  /** Cryptshare answered with an HTTP error status. */
  public static final class ErrorResponse extends CryptshareException {
    private final int httpStatus;
    private final @Nullable Integer errorCode;
    private final String errorMessage;
    private final @Nullable Duration retryAfter;

    public ErrorResponse(
        String server,
        int httpStatus,
        @Nullable Integer errorCode,
        String errorMessage,
        @Nullable Duration retryAfter) {
      super(
          server,
          "Cryptshare server '%s' answered %d (errorCode %s): %s"
              .formatted(server, httpStatus, errorCode, errorMessage),
          null);
      this.httpStatus = httpStatus;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
      this.retryAfter = retryAfter;
    }

    public int httpStatus() {
      return httpStatus;
    }

    public @Nullable Integer errorCode() {
      return errorCode;
    }

    public String errorMessage() {
      return errorMessage;
    }

    /** The server's {@code Retry-After}, if it sent one. */
    public @Nullable Duration retryAfter() {
      return retryAfter;
    }

    /**
     * Error code 3002 with 401 or 403: the verification token is invalid, expired or not the
     * creating one. Cryptshare's OpenAPI description (REST API 1.8) documents 3002 under both
     * statuses ("the provided verification token differs", "invalid verification data"), so both
     * earn the one renewal of a token.
     */
    public boolean isInvalidToken() {
      return (httpStatus == 401 || httpStatus == 403) && Integer.valueOf(3002).equals(errorCode);
    }

    /** 5xx, 408 and 429: the same request may succeed later. */
    public boolean isTransient() {
      return httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
  }

  /** The request never reached the server (connection refused or connect timeout). */
  public static final class Unreachable extends CryptshareException {
    public Unreachable(String server, Throwable cause) {
      super(server, "Cryptshare server '%s' is unreachable: %s".formatted(server, cause), cause);
    }
  }

  /**
   * The request was sent but no complete answer came back (read timeout, reset): it may or may not
   * have taken effect.
   */
  public static final class OutcomeUnknown extends CryptshareException {
    public OutcomeUnknown(String server, Throwable cause) {
      super(
          server,
          "No answer from Cryptshare server '%s'; the request may have taken effect: %s"
              .formatted(server, cause),
          cause);
    }
  }
}

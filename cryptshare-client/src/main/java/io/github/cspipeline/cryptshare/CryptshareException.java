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

  /**
   * What kind of failure this is: the one classification of Cryptshare answers that the worker and
   * the poller decide on (retry or not, status check or not, circuit breaker, metric tags).
   */
  public abstract Kind kind();

  /**
   * The request may have reached Cryptshare and taken effect although no success came back: no
   * answer at all, or 502/504 (a proxy's answer when Cryptshare was slow or the connection behind
   * it broke). A finalize that failed this way must be checked, not repeated blindly.
   */
  public boolean mayHaveTakenEffect() {
    return switch (this) {
      case OutcomeUnknown u -> true;
      case ErrorResponse r -> r.httpStatus() == 502 || r.httpStatus() == 504;
      case Unreachable u -> false;
    };
  }

  /** The kinds of failure; {@link #tag} is the value metrics use. */
  public enum Kind {
    /** 429: the server protects itself; honour {@code Retry-After}, not a sign of bad health. */
    RATE_LIMITED("rate_limited", true, false),
    /** 404: the resource is not there (a refusal of its own for callers that care). */
    NOT_FOUND("not_found", false, false),
    /** Any other 4xx but 408: Cryptshare will give the same answer again; the server works. */
    REFUSED("refused", false, false),
    /** 5xx and 408: the same request may succeed later; counts against the server's health. */
    SERVER_ERROR("server_error", true, true),
    /**
     * An answer of a status or shape the API does not give (a 3xx, a success without its data): the
     * server answered, so it is up, but nothing says that asking again helps.
     */
    UNEXPECTED("server_error", false, false),
    /** Connection refused or connect timeout: the request never reached the server. */
    UNREACHABLE("unreachable", true, true),
    /** Sent, but no complete answer (read timeout, reset): it may have taken effect. */
    NO_ANSWER("no_answer", true, true);

    private final String tag;
    private final boolean transientFailure;
    private final boolean unhealthy;

    Kind(String tag, boolean transientFailure, boolean unhealthy) {
      this.tag = tag;
      this.transientFailure = transientFailure;
      this.unhealthy = unhealthy;
    }

    public String tag() {
      return tag;
    }

    /** The same request may succeed later. */
    public boolean isTransient() {
      return transientFailure;
    }

    /** Says the server is unwell (a circuit breaker counts it as a failure). */
    public boolean isUnhealthy() {
      return unhealthy;
    }

    /** A 4xx other than 408 and 429, 404 included: asking again gets the same answer. */
    public boolean isRefusal() {
      return this == REFUSED || this == NOT_FOUND;
    }
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

    @Override
    public Kind kind() {
      if (httpStatus == 429) {
        return Kind.RATE_LIMITED;
      }
      if (httpStatus >= 500 || httpStatus == 408) {
        return Kind.SERVER_ERROR;
      }
      if (httpStatus < 400) {
        return Kind.UNEXPECTED;
      }
      return httpStatus == 404 ? Kind.NOT_FOUND : Kind.REFUSED;
    }

    /** 5xx, 408 and 429: the same request may succeed later. */
    public boolean isTransient() {
      return kind().isTransient();
    }
  }

  /** The request never reached the server (connection refused or connect timeout). */
  public static final class Unreachable extends CryptshareException {
    public Unreachable(String server, Throwable cause) {
      super(server, "Cryptshare server '%s' is unreachable: %s".formatted(server, cause), cause);
    }

    @Override
    public Kind kind() {
      return Kind.UNREACHABLE;
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

    @Override
    public Kind kind() {
      return Kind.NO_ANSWER;
    }
  }
}

package io.github.cspipeline.simulator.api;

import org.springframework.http.HttpStatus;

/**
 * A Cryptshare API error: the HTTP status and the Cryptshare error code of the answer. The factory
 * methods name the cases of {@code cryptshare-rest-api.md}.
 */
public class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final int errorCode;

  public ApiException(HttpStatus status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public HttpStatus status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  public static ApiException missing(String what) {
    return new ApiException(HttpStatus.BAD_REQUEST, 1002, "Missing required " + what + ".");
  }

  public static ApiException invalid(String what) {
    return new ApiException(HttpStatus.BAD_REQUEST, 1004, "Invalid value of " + what + ".");
  }

  public static ApiException invalidPathVariable(String name) {
    return new ApiException(HttpStatus.BAD_REQUEST, 1005, "Invalid path variable " + name + ".");
  }

  /**
   * @param status 401 as documented for sender endpoints, or 403 as documented for the verification
   *     endpoints ("Invalid verification data"); chosen per sender
   */
  public static ApiException notVerified(HttpStatus status) {
    return new ApiException(
        status,
        3002,
        "The verification token is missing, expired or not valid for this sender and client.");
  }

  public static ApiException sessionTokenMismatch(HttpStatus status) {
    return new ApiException(
        status,
        3002,
        "The provided verification token differs from the one that created the transfer session.");
  }

  public static ApiException invalidVerificationData() {
    return new ApiException(HttpStatus.FORBIDDEN, 3002, "Invalid verification data.");
  }

  public static ApiException endpointNotFound() {
    return new ApiException(HttpStatus.NOT_FOUND, 1006, "Specified endpoint does not exist.");
  }

  public static ApiException notFound(String what) {
    return new ApiException(HttpStatus.NOT_FOUND, 2003, "Specified " + what + " does not exist.");
  }

  public static ApiException versionNotSupported() {
    return new ApiException(HttpStatus.NOT_FOUND, 2004, "Specified version is not supported.");
  }

  public static ApiException transferRules(String reason) {
    return new ApiException(
        HttpStatus.CONFLICT,
        2001,
        "Some given values cannot be applied due to transfer rule restrictions: " + reason);
  }
}

package io.github.cspipeline.gateway.error;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A request the gateway refuses, with the HTTP status and the stable problem code it answers with.
 */
public class GatewayException extends RuntimeException {

  private final HttpStatus status;
  private final String code;
  private final @Nullable Duration retryAfter;

  public GatewayException(HttpStatus status, String code, String detail) {
    this(status, code, detail, null, null);
  }

  public GatewayException(
      HttpStatus status,
      String code,
      String detail,
      @Nullable Duration retryAfter,
      @Nullable Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public HttpStatus status() {
    return status;
  }

  public String code() {
    return code;
  }

  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}

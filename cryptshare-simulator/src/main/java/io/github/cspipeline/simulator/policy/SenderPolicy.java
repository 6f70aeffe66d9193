package io.github.cspipeline.simulator.policy;

import io.github.cspipeline.simulator.api.ApiException;
import org.springframework.http.HttpStatus;

/**
 * A transfer policy that refuses a sender's finalize with 403. Codes and messages as Cryptshare's
 * OpenAPI description (REST API 1.8) lists them for session creation.
 */
public enum SenderPolicy {
  SENDER_REJECTED(3010, "Sender rejected by policy."),
  SENDER_RECIPIENT_REJECTED(3011, "Recipient and sender combination rejected by policy.");

  private final int errorCode;
  private final String message;

  SenderPolicy(int errorCode, String message) {
    this.errorCode = errorCode;
    this.message = message;
  }

  public ApiException refusal() {
    return new ApiException(HttpStatus.FORBIDDEN, errorCode, message);
  }
}

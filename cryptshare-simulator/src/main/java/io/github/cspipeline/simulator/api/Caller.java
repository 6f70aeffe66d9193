package io.github.cspipeline.simulator.api;

import org.jspecify.annotations.Nullable;

/**
 * Who calls the Cryptshare API, from the {@code X-CS-*} headers (or their query parameters) after
 * {@link ApiHeaderInterceptor} checked them.
 *
 * @param clientId the client id; {@code null} only on endpoints that do not need one
 * @param verificationToken the verification token, as sent; checked by the endpoint that needs it
 */
public record Caller(@Nullable String clientId, @Nullable String verificationToken) {

  static final String ATTRIBUTE = Caller.class.getName();

  public String requireClientId() {
    if (clientId == null) {
      throw ApiException.missing("header X-CS-ClientId");
    }
    return clientId;
  }
}

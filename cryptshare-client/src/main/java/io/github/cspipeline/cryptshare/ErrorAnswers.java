package io.github.cspipeline.cryptshare;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Turns an answer other than the expected one into a {@link CryptshareException.ErrorResponse}:
 * Cryptshare's error body (or the start of whatever else came, a proxy's page), and a {@code
 * Retry-After} the callers can safely add to their clocks.
 */
final class ErrorAnswers {

  /** See {@link CryptshareClient#MAX_RETRY_AFTER}. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private static final int MAX_ERROR_MESSAGE = 500;

  private final String server;
  private final Clock clock;

  ErrorAnswers(String server, Clock clock) {
    this.server = server;
    this.clock = clock;
  }

  CryptshareException.ErrorResponse errorResponse(HttpAnswer answer) {
    var body = answer.body();
    Integer errorCode = null;
    String message = new String(body, StandardCharsets.UTF_8);
    try {
      var node = Answers.JSON.readTree(body);
      if (node.path("errorCode").isNumber()) {
        errorCode = node.path("errorCode").intValue();
      }
      if (node.path("errorMessage").isString()) {
        message = node.path("errorMessage").stringValue();
      }
    } catch (JacksonException notJson) {
      // A proxy's HTML error page: keep its start as the message.
    }
    if (message.isBlank()) {
      message = "HTTP " + answer.status();
    }
    if (message.length() > MAX_ERROR_MESSAGE) {
      message = message.substring(0, MAX_ERROR_MESSAGE);
    }
    return new CryptshareException.ErrorResponse(
        server, answer.status(), errorCode, message, retryAfter(answer.retryAfter()));
  }

  /**
   * The server's {@code Retry-After}, between zero and {@link #MAX_RETRY_AFTER}: a huge value (or a
   * date far ahead) must not overflow the callers' time arithmetic or park a transfer for years.
   */
  private @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    var value = header.trim();
    if (value.chars().allMatch(Character::isDigit)) {
      // Digits only: seconds, however many digits (Long.parseLong would fail on 20 of them).
      return value.length() > 12
          ? MAX_RETRY_AFTER
          : clamp(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      var at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return clamp(Duration.between(clock.instant(), at));
    } catch (DateTimeParseException | ArithmeticException neither) {
      return null;
    }
  }

  private static Duration clamp(Duration wait) {
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }
}

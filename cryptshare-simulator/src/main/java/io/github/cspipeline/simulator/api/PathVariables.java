package io.github.cspipeline.simulator.api;

import java.util.Locale;
import java.util.regex.Pattern;

/** Syntax checks of path variables; a bad one answers 400/1005. */
public final class PathVariables {

  private static final Pattern EMAIL =
      Pattern.compile("[^@\\s<>()\\[\\],;:\"/\\\\]+@[^@\\s<>()\\[\\],;:\"/\\\\]+");
  private static final Pattern TRACKING_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_EMAIL_LENGTH = 254;

  private PathVariables() {}

  public static boolean isEmail(String value) {
    return value.length() <= MAX_EMAIL_LENGTH && EMAIL.matcher(value).matches();
  }

  public static boolean isTrackingId(String value) {
    return TRACKING_ID.matcher(value).matches();
  }

  /** Checks a sender address and returns its key: senders are compared case-insensitively. */
  public static String senderKey(String email) {
    if (!isEmail(email)) {
      throw ApiException.invalidPathVariable("email-address");
    }
    return key(email);
  }

  public static String key(String email) {
    return email.toLowerCase(Locale.ROOT);
  }

  public static String trackingId(String value) {
    if (!isTrackingId(value)) {
      throw ApiException.invalidPathVariable("tracking-id");
    }
    return value;
  }

  public static String id(String name, String value) {
    if (!ID.matcher(value).matches()) {
      throw ApiException.invalidPathVariable(name);
    }
    return value;
  }
}

package io.github.cspipeline.simulator.api;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.random.RandomGenerator;
import org.springframework.stereotype.Component;

/** Generates the ids the simulator hands out, in the shapes a real server uses. */
@Component
public class Ids {

  private static final char[] ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final DateTimeFormatter TRACKING_PREFIX =
      DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss-");

  private final Clock clock;
  private final RandomGenerator random;

  public Ids(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  /** {@code YYYYMMDD-HHMMSS-xxxxxxxx}, from the current time. */
  public String trackingId() {
    return LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).format(TRACKING_PREFIX)
        + alphanumeric(8);
  }

  public String digits(int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = (char) ('0' + random.nextInt(10));
    }
    return new String(chars);
  }

  public String alphanumeric(int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
    }
    return new String(chars);
  }
}

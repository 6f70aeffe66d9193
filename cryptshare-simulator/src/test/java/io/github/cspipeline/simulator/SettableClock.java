package io.github.cspipeline.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it. */
public final class SettableClock extends Clock {

  public static final Instant START = Instant.parse("2026-11-26T10:15:00Z");

  private volatile Instant now = START;

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the simulator works in UTC");
  }

  public void advance(Duration duration) {
    now = now.plus(duration);
  }

  public void reset() {
    now = START;
  }
}

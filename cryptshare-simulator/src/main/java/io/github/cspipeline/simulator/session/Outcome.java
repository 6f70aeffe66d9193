package io.github.cspipeline.simulator.session;

import java.util.Locale;

/** How a transfer ends once its processing time is over. */
public enum Outcome {
  ACTIVE,
  FAILED,
  /** [ours] ACTIVE with {@code warnings: true} and the first file removed. */
  ACTIVE_WITH_WARNINGS;

  public static Outcome parse(String value) {
    return Outcome.valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}

package io.github.cspipeline.simulator.session;

/** Password modes of the ONE_TIME_PASSWORD security mode. */
public enum PasswordMode {
  GENERATED,
  MANUAL,
  NONE
}

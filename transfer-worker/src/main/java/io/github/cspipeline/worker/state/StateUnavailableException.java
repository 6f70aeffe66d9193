package io.github.cspipeline.worker.state;

/**
 * The state topic could not be read back. Nothing is wrong with the commands that need it: their
 * intake is rolled back and they come again.
 */
public final class StateUnavailableException extends RuntimeException {

  public StateUnavailableException(String message) {
    super(message);
  }

  public StateUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.github.cspipeline.deadletters;

/** A failure the operator can act on; its message is printed as it is, without a stack trace. */
final class ToolException extends RuntimeException {

  ToolException(String message) {
    super(message);
  }

  ToolException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.github.cspipeline.example.consumer.event;

/**
 * A record this consumer cannot read (a value that is not a v1 event, a missing {@code ce_id}).
 * Retrying cannot help: it goes to the dead-letter topic at once.
 */
public class InvalidEventException extends RuntimeException {

  public InvalidEventException(String message) {
    super(message);
  }
}

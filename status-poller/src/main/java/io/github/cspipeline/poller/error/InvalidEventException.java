package io.github.cspipeline.poller.error;

/**
 * A transfer event the poller cannot act on (no status URL, an unknown server, ...). Retrying
 * cannot help, so it goes to the dead-letter topic at once.
 */
public final class InvalidEventException extends PollerException {

  private final String server;

  public InvalidEventException(String server, String trackingId, String reason) {
    super(
        trackingId, "Event of transfer %s on server '%s' %s".formatted(trackingId, server, reason));
    this.server = server;
  }

  public String server() {
    return server;
  }
}

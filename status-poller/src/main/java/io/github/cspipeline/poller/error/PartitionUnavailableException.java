package io.github.cspipeline.poller.error;

/**
 * The watches of a partition are not loaded on this instance right now (being taken over, or
 * reloaded after a failed transaction). Its events wait until they are.
 */
public final class PartitionUnavailableException extends PollerException {

  public PartitionUnavailableException(String topic, int partition) {
    super(
        null,
        "The watches of %s-%d are not loaded on this instance (yet); its events wait"
            .formatted(topic, partition));
  }
}

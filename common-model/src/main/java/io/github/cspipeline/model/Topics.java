package io.github.cspipeline.model;

/**
 * Default Kafka topic names. Every name can be overridden per application; these are the defaults
 * of the public contract. Internal topics are named {@code cryptshare.<module>.<purpose>} and
 * belong to the module that owns them.
 */
public final class Topics {

  /** Finalize commands, key = trackingId, value = {@link command.FinalizeCommand}. */
  public static final String FINALIZE_COMMANDS = "cryptshare.finalize.commands";

  /** Transfer state changes, key = trackingId, value = {@link event.TransferEvent}. */
  public static final String TRANSFER_EVENTS = "cryptshare.transfer.events";

  /** Commands the transfer-worker could not read or validate, with the reason in headers. */
  public static final String WORKER_DEAD_LETTERS = "cryptshare.transfer-worker.dlt";

  /**
   * The transfer-worker's progress per transfer (compacted; key {@code server/trackingId}): what it
   * has taken in and what it decided. Its own state, rebuilt on partition assignment.
   */
  public static final String WORKER_STATE = "cryptshare.transfer-worker.state";

  /** Events the status-poller could not read or validate, with the reason in headers. */
  public static final String POLLER_DEAD_LETTERS = "cryptshare.status-poller.dlt";

  private Topics() {}
}

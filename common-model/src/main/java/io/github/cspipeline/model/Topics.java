package io.github.cspipeline.model;

/**
 * Default Kafka topic names of the public contract. Every name can be overridden per application.
 * Internal topics (state, watches, claims, dead letters) are named {@code
 * cryptshare.<module>.<purpose>} and defined only in the module that owns them, with its
 * properties.
 */
public final class Topics {

  /** Finalize commands, key = trackingId, value = {@link command.FinalizeCommand}. */
  public static final String FINALIZE_COMMANDS = "cryptshare.finalize.commands";

  /** Transfer state changes, key = trackingId, value = {@link event.TransferEvent}. */
  public static final String TRANSFER_EVENTS = "cryptshare.transfer.events";

  private Topics() {}
}

package io.github.cspipeline.simulator.transfer;

/** Transfer states as they appear on the wire. */
public final class TransferStates {

  public static final String PROCESSING = "PROCESSING";
  public static final String ACTIVE = "ACTIVE";
  public static final String FAILED = "FAILED";
  public static final String DELETED_BY_EXPIRATION = "DELETED_BY_EXPIRATION";
  public static final String DELETED_PREFIX = "DELETED_";

  private TransferStates() {}
}

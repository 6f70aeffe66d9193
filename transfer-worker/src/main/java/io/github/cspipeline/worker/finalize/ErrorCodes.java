package io.github.cspipeline.worker.finalize;

/**
 * The stable {@code error.code} values of the events the worker publishes (CONTRACT §3, ADR 023).
 * Each comes with one state, except {@link #CREDENTIAL_INVALID}; consumers may branch on them.
 */
public final class ErrorCodes {

  /** {@code REJECTED}: Cryptshare refused the finalize (or the sender's verification). */
  public static final String CRYPTSHARE_REJECTED = "CRYPTSHARE_REJECTED";

  /**
   * {@code REJECTED}: the command breaks {@code FinalizeCommandRules} or has a schema version this
   * worker does not know. The command also goes to the dead-letter topic.
   */
  public static final String INVALID_COMMAND = "INVALID_COMMAND";

  /**
   * {@code REJECTED} when the command is taken in: a configured key should decrypt its credential
   * but does not (tampered, or bound to another transfer); the command also goes to the dead-letter
   * topic. {@code ABANDONED} when a transfer taken in earlier (by another instance, or before a
   * restart) cannot be decrypted here: the instances' keys differ, and a finalize may have been
   * sent.
   */
  public static final String CREDENTIAL_INVALID = "CREDENTIAL_INVALID";

  /**
   * {@code ABANDONED}: the command's server is not configured on this worker, and no instance with
   * it took the transfer over within its retry budget.
   */
  public static final String SERVER_NOT_CONFIGURED = "SERVER_NOT_CONFIGURED";

  /**
   * {@code ABANDONED}: the credential was encrypted with a key id this worker does not have (e.g. a
   * key rotation not rolled out yet), and no instance with it took the transfer over within its
   * retry budget.
   */
  public static final String CREDENTIAL_KEY_UNKNOWN = "CREDENTIAL_KEY_UNKNOWN";

  /** {@code ABANDONED}: the retry budget was spent on transient failures; the last is given. */
  public static final String RETRY_BUDGET_SPENT = "RETRY_BUDGET_SPENT";

  /**
   * {@code ABANDONED}: a finalize may have taken effect (its answer was lost, or it answered 404,
   * 502 or 504), and no status check could tell within the budget. The transfer may be in work at
   * Cryptshare; the worker never publishes {@code REJECTED} then.
   */
  public static final String FINALIZE_OUTCOME_UNKNOWN = "FINALIZE_OUTCOME_UNKNOWN";

  /** {@code ABANDONED}: the worker failed unexpectedly (a bug) until the transfer's deadline. */
  public static final String WORKER_ERROR = "WORKER_ERROR";

  private ErrorCodes() {}
}

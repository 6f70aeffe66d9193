package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.command.FinalizeCommandRules;
import io.github.cspipeline.model.credential.CredentialException;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import java.util.stream.Collectors;

/**
 * The rules a finalize command must meet before the worker takes it in: {@link
 * FinalizeCommandRules}, the ones the gateway applied when it accepted the request, plus a
 * credential that decrypts.
 *
 * <p>What this instance may merely lack is not judged here: a server it has no configuration for,
 * or a credential key id it does not have, can come with the next deployment. Such a transfer is
 * taken in and waits for it within its retry budget ({@link Finalizer}).
 */
public final class CommandValidator {

  private final PassThroughCredentials credentials;

  /**
   * @param credentials decrypts pass-through credentials; a credential that a configured key should
   *     decrypt but does not is invalid
   */
  public CommandValidator(PassThroughCredentials credentials) {
    this.credentials = credentials;
  }

  /**
   * @return the command
   * @throws InvalidCommandException why the command can never be processed; {@linkplain
   *     InvalidCommandException#refused() refused} when its tracking id can key a {@code REJECTED}
   *     event
   */
  public FinalizeCommand validate(FinalizeCommand command) {
    var violations = FinalizeCommandRules.check(command);
    if (!violations.isEmpty()) {
      // The messages name the rule, never the value: a value may be attacker-sized or personal.
      var reason =
          violations.stream()
              .map(v -> v.field() + " " + v.message())
              .collect(Collectors.joining("; "));
      if (violations.stream().anyMatch(v -> v.field().equals("trackingId"))) {
        // No event or state record can be keyed by it; the gateway can never have accepted it.
        throw new InvalidCommandException(null, reason);
      }
      throw InvalidCommandException.refused(command, ErrorCodes.INVALID_COMMAND, reason);
    }
    try {
      credentials.tokenOf(command);
    } catch (CredentialException e) {
      if (e.reason() != CredentialException.Reason.UNKNOWN_KEY) {
        // The exception's message names the key id at most, never the credential or the token.
        throw InvalidCommandException.refused(
            command,
            ErrorCodes.CREDENTIAL_INVALID,
            "its credential cannot be used (" + e.getMessage() + ")");
      }
    }
    return command;
  }
}

package io.github.cspipeline.worker.finalize;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialException;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The rules a finalize command must meet before the worker calls Cryptshare for it. */
public final class CommandValidator {

  private static final Pattern TRACKING_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  // Deliberately loose: Cryptshare judges addresses; this only keeps the value a single, harmless
  // path segment.
  private static final Pattern SENDER = Pattern.compile("[^@\\s/\\\\?#%]+@[^@\\s/\\\\?#%]+");
  private static final int MAX_SENDER_LENGTH = 254;
  private static final int MAX_QUOTED = 64;

  private final Predicate<String> configuredServer;
  private final PassThroughCredentials credentials;

  /**
   * @param configuredServer whether a server id is configured
   * @param credentials decrypts pass-through credentials; a command whose credential no key
   *     decrypts is invalid
   */
  public CommandValidator(Predicate<String> configuredServer, PassThroughCredentials credentials) {
    this.configuredServer = configuredServer;
    this.credentials = credentials;
  }

  /**
   * @throws InvalidCommandException why the command can never be processed
   */
  public FinalizeCommand validate(FinalizeCommand command) {
    var trackingId = command.trackingId();
    if (!TRACKING_ID.matcher(trackingId).matches()) {
      throw new InvalidCommandException(
          null, "trackingId '%s' is not 1-64 of [A-Za-z0-9_-]".formatted(quote(trackingId)));
    }
    if (!configuredServer.test(command.server())) {
      throw new InvalidCommandException(
          trackingId,
          "Cryptshare server '%s' is not configured".formatted(quote(command.server())));
    }
    if (command.sender().length() > MAX_SENDER_LENGTH
        || !SENDER.matcher(command.sender()).matches()) {
      throw new InvalidCommandException(
          trackingId, "sender '%s' is not an email address".formatted(quote(command.sender())));
    }
    try {
      credentials.tokenOf(command);
    } catch (CredentialException e) {
      // The exception's message names the key id at most, never the credential or the token.
      throw new InvalidCommandException(
          trackingId, "its credential cannot be used (" + e.getMessage() + ")");
    }
    return command;
  }

  /** Keeps attacker-sized values out of logs and dead-letter headers. */
  private static String quote(String value) {
    return value.length() <= MAX_QUOTED ? value : value.substring(0, MAX_QUOTED) + "...";
  }
}

package io.github.cspipeline.model.command;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one set of rules a finalize request must meet, applied by the api-gateway before it accepts a
 * request and by the transfer-worker before it takes a command in. Both sides use this class, so
 * that nothing the gateway accepts can be refused by the worker for its shape (the guarantee that
 * every accepted request ends in exactly one terminal event depends on it).
 *
 * <p>The rules keep each value a single harmless URL path segment; Cryptshare judges whether an
 * address really is one.
 */
public final class FinalizeCommandRules {

  /** Server ids: 1–64 of {@code [A-Za-z0-9_.-]}. */
  public static final Pattern SERVER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Tracking ids: 1–64 of {@code [A-Za-z0-9_-]}, otherwise opaque. */
  public static final Pattern TRACKING_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * Sender addresses: one {@code @}, a dotted domain, no whitespace, control characters, quotes or
   * characters with a meaning in a URL path ({@code / \ ? # %}).
   */
  public static final Pattern SENDER =
      Pattern.compile(
          "[^@\\s\\p{Cntrl}\"/\\\\?#%]{1,64}@[^@\\s\\p{Cntrl}\"/\\\\?#%.]+(\\.[^@\\s\\p{Cntrl}\"/\\\\?#%.]+)+");

  /** The longest sender address (RFC 5321's path limit). */
  public static final int MAX_SENDER_LENGTH = 254;

  /** One broken rule: the field and what is wrong with it, safe to log (values are not quoted). */
  public record Violation(String field, String message) {}

  private FinalizeCommandRules() {}

  /**
   * @return the broken rules, empty when the values are valid
   */
  public static List<Violation> check(
      @Nullable String server, @Nullable String sender, @Nullable String trackingId) {
    var violations = new ArrayList<Violation>(0);
    if (server == null || !SERVER.matcher(server).matches()) {
      violations.add(new Violation("server", "must be a server id: 1-64 of [A-Za-z0-9_.-]"));
    }
    if (sender == null
        || sender.length() > MAX_SENDER_LENGTH
        || !SENDER.matcher(sender).matches()) {
      violations.add(new Violation("sender", "must be an email address"));
    }
    if (trackingId == null || !TRACKING_ID.matcher(trackingId).matches()) {
      violations.add(new Violation("trackingId", "must be 1-64 of [A-Za-z0-9_-]"));
    }
    return violations;
  }

  /** The broken rules of a command, empty when it is valid. */
  public static List<Violation> check(FinalizeCommand command) {
    var violations =
        new ArrayList<>(check(command.server(), command.sender(), command.trackingId()));
    if (command.schemaVersion() != FinalizeCommand.SCHEMA_VERSION) {
      violations.add(
          new Violation(
              "schemaVersion", "must be " + FinalizeCommand.SCHEMA_VERSION + " (this version)"));
    }
    return violations;
  }
}

package io.github.cspipeline.model.command;

import java.util.stream.Stream;

/**
 * Senders the shared rules refuse: one list for the rules' own test and for the schema test, so the
 * two cannot drift apart.
 */
public final class BadSenders {

  private BadSenders() {}

  /**
   * For
   * {@code @MethodSource("io.github.cspipeline.model.command.BadSenders#notASingleHarmlessAddress")}.
   */
  public static Stream<String> notASingleHarmlessAddress() {
    return Stream.of(
        "\"a@b\"@example.com",
        "a@b@example.com",
        "alice@localhost",
        "alice@example..com",
        "alice@.example.com",
        "alice@example.com.",
        "al ice@example.com",
        "alice@exa/mple.com",
        "ali%ce@example.com",
        "ali?ce@example.com",
        "ali#ce@example.com",
        "ali\\ce@example.com",
        "\"alice\"@example.com",
        "alice\u0000@example.com",
        "alice\u007f@example.com",
        "@example.com",
        "alice@",
        "");
  }
}

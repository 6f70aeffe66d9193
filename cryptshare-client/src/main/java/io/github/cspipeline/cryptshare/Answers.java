package io.github.cspipeline.cryptshare;

import io.github.cspipeline.model.event.Recipient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Cryptshare's successful answers (token, status, transfer list) into the client's types.
 * Stateless; the mapper and reader are shared, being thread-safe and costly to build.
 */
final class Answers {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final ObjectReader STATUS_READER =
      JSON.readerFor(StatusAnswer.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A token answer without {@code validUntil} counts as valid this long. */
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofMinutes(10);

  private Answers() {}

  /** The token of a verification answer. */
  static VerificationToken token(String server, HttpAnswer answer, Clock clock) {
    var token = data(answer);
    var value = token.path("token").asString("");
    if (value.isEmpty()) {
      throw new CryptshareException.ErrorResponse(
          server, answer.status(), null, "token answer without data.token", null);
    }
    var validUntil = parseInstant(token.path("validUntil").asString(""));
    return new VerificationToken(
        value, validUntil == null ? clock.instant().plus(DEFAULT_TOKEN_LIFETIME) : validUntil);
  }

  /** The rows of a transfer list answer. */
  static List<TransferSummary> transfers(HttpAnswer answer) {
    var rows = new ArrayList<TransferSummary>();
    for (JsonNode row : data(answer)) {
      rows.add(
          new TransferSummary(
              row.path("trackingId").asString(""), row.path("state").asString("UNKNOWN")));
    }
    return rows;
  }

  /**
   * The status answer bound to records rather than read as a tree: the answer also carries the
   * whole transfer (settings, files, recipients), which a tree would build node by node on every
   * poll; binding skips it (issue 12: the tree was a tenth of the poller's CPU). An answer that
   * does not bind (a field of an unexpected type) is read as a tree, leniently, as before.
   */
  static TransferStatus statusOf(byte[] body) {
    StatusAnswer.Status status;
    try {
      var answer = body.length == 0 ? null : STATUS_READER.<StatusAnswer>readValue(body);
      status = answer == null || answer.data() == null ? null : answer.data().status();
    } catch (JacksonException unexpectedShape) {
      return statusOfTree(parse(body).path("data").path("status"));
    }
    if (status == null) {
      return new TransferStatus("UNKNOWN", false, List.of());
    }
    var recipients = new ArrayList<Recipient>();
    if (status.recipients() != null) {
      for (var r : status.recipients()) {
        if (r == null) {
          continue;
        }
        var downloadUrl = r.downloadUrl();
        recipients.add(
            new Recipient(
                r.mail() == null ? "" : r.mail(),
                downloadUrl == null || downloadUrl.isEmpty() ? null : URI.create(downloadUrl),
                Boolean.TRUE.equals(r.notificationFailed())));
      }
    }
    return new TransferStatus(
        status.state() == null ? "UNKNOWN" : status.state(),
        Boolean.TRUE.equals(status.warnings()),
        recipients);
  }

  private static TransferStatus statusOfTree(JsonNode status) {
    var recipients = new ArrayList<Recipient>();
    for (JsonNode r : status.path("recipients")) {
      var downloadUrl = r.path("downloadUrl").asString("");
      recipients.add(
          new Recipient(
              r.path("mail").asString(""),
              downloadUrl.isEmpty() ? null : URI.create(downloadUrl),
              r.path("notificationFailed").asBoolean(false)));
    }
    return new TransferStatus(
        status.path("state").asString("UNKNOWN"),
        status.path("warnings").asBoolean(false),
        recipients);
  }

  /** The part of a status answer the pipeline reads; the rest is skipped unread. */
  private record StatusAnswer(@Nullable Data data) {
    private record Data(@Nullable Status status) {}

    private record Status(
        @Nullable String state,
        @Nullable Boolean warnings,
        @Nullable List<StatusRecipient> recipients) {}

    private record StatusRecipient(
        @Nullable String mail,
        @Nullable String downloadUrl,
        @Nullable Boolean notificationFailed) {}
  }

  /** The {@code data} member of an answer's JSON envelope (missing when it has none). */
  private static JsonNode data(HttpAnswer answer) {
    return parse(answer.body()).path("data");
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (JacksonException e) {
      return JSON.missingNode();
    }
  }

  private static @Nullable Instant parseInstant(String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }
}

package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a transfer in {@code PROCESSING} that the poller watches, with what its next poll
 * needs. The {@link WatchIndex} keeps watches in a compact form and hands out these snapshots.
 *
 * @param id the index's handle of this watch ({@code 0} until indexed); a watch that was dropped
 *     and loaded again gets a new id, so a poll that started before cannot touch the new one
 * @param key the transfer
 * @param sender the sender, whose verification token the status poll uses
 * @param statusUrl the transfer's status URL from the {@code PROCESSING} event
 * @param since when the transfer entered {@code PROCESSING} (the event's {@code occurredAt})
 * @param deadline when the watch gives up and the transfer ends {@code ABANDONED}
 * @param nextPollAt when the next status poll is due
 * @param polls status polls made so far (estimated after a takeover)
 * @param notFoundInARow consecutive 404 answers; an answer with a state resets it
 * @param lastCryptshareState the state Cryptshare reported last, if any
 * @param traceparent the W3C trace context kept with the watch (ADR 020): the {@code PROCESSING}
 *     event's, or a new trace's when it had none; each poll runs in a span of it, and the terminal
 *     event carries the context of that span
 */
public record Watch(
    long id,
    TransferKey key,
    String sender,
    URI statusUrl,
    Instant since,
    Instant deadline,
    Instant nextPollAt,
    int polls,
    int notFoundInARow,
    @Nullable String lastCryptshareState,
    @Nullable String traceparent) {

  public Watch {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(statusUrl, "statusUrl");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(nextPollAt, "nextPollAt");
  }

  /**
   * The watch of a transfer that just entered {@code PROCESSING}: watched until {@code
   * watchDeadline} after the event occurred, first polled at {@code firstPollAt} (never after the
   * deadline, so that even a late event gets one look).
   */
  public static Watch start(
      TransferEvent processing,
      URI statusUrl,
      Instant firstPollAt,
      Duration watchDeadline,
      @Nullable String traceparent) {
    var deadline = processing.occurredAt().plus(watchDeadline);
    return new Watch(
        0,
        new TransferKey(processing.server(), processing.trackingId()),
        processing.sender(),
        statusUrl,
        processing.occurredAt(),
        deadline,
        firstPollAt.isAfter(deadline) ? deadline : firstPollAt,
        0,
        0,
        null,
        traceparent);
  }

  public String trackingId() {
    return key.trackingId();
  }

  public String server() {
    return key.server();
  }

  /** After a poll that Cryptshare answered with a state. */
  public Watch answered(String cryptshareState) {
    return with(nextPollAt, polls + 1, 0, cryptshareState);
  }

  /** After a poll that Cryptshare answered with 404. */
  public Watch notFound() {
    return with(nextPollAt, polls + 1, notFoundInARow + 1, lastCryptshareState);
  }

  /** After a poll that got no usable answer (an error, no connection). */
  public Watch failed() {
    return with(nextPollAt, polls + 1, notFoundInARow, lastCryptshareState);
  }

  public Watch withNextPollAt(Instant next) {
    return with(next, polls, notFoundInARow, lastCryptshareState);
  }

  /** The same watch with its progress changed; what identifies and bounds it never changes. */
  private Watch with(Instant next, int pollsMade, int notFound, @Nullable String cryptshareState) {
    return new Watch(
        id,
        key,
        sender,
        statusUrl,
        since,
        deadline,
        next,
        pollsMade,
        notFound,
        cryptshareState,
        traceparent);
  }
}

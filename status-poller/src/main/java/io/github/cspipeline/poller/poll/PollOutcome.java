package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.TransferStatus;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What one status poll brought: the classes of outcome the poller decides on. */
public sealed interface PollOutcome {

  /** Cryptshare reported the transfer's status. */
  record Answered(TransferStatus status) implements PollOutcome {}

  /** Cryptshare answered 404: it does not know the transfer (or the endpoint). */
  record NotFound(int httpStatus, @Nullable Integer errorCode, String message)
      implements PollOutcome {}

  /** The status URL leads outside the server's origin; no request was sent. */
  record ForeignStatusUrl(String message) implements PollOutcome {}

  /**
   * A transient failure (5xx, 408, 429, no connection, no answer): try again later.
   *
   * @param retryAfter the server's {@code Retry-After}, held to between zero and {@link
   *     Backoff#MAX_RETRY_AFTER} whoever made the outcome: the scheduler adds it to instants
   */
  record Retry(String reason, @Nullable Duration retryAfter) implements PollOutcome {
    public Retry {
      retryAfter = retryAfter == null ? null : Backoff.clampRetryAfter(retryAfter);
    }
  }

  /** Any other failure (a refused token, a 4xx, a configuration problem). */
  record Failed(String reason) implements PollOutcome {}
}

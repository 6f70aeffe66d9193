package io.github.cspipeline.poller.watch;

import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.error.PublishException;
import org.jspecify.annotations.Nullable;

/** Publishes the terminal event of a watched transfer and ends its watch, atomically. */
@FunctionalInterface
public interface TerminalPublisher {

  /**
   * Publishes {@code event} and ends the watch in one Kafka transaction, and returns once it
   * committed: either both are durable or neither is.
   *
   * @param traceparent the W3C trace context the event's record carries (ADR 020): that of the span
   *     the poll ran in, taken on the polling thread; null for none
   * @return false, publishing nothing, when the watch is no longer this instance's to end (another
   *     publisher ended it, or its partition moved to another instance)
   * @throws PublishException when Kafka did not commit; the watch stays
   */
  boolean publishTerminal(Watch watch, TransferEvent event, @Nullable String traceparent);
}

package io.github.cspipeline.example.consumer.event;

/**
 * What the consumer does with a transfer's terminal event: replace the logging default with a bean
 * of your own. Each method is called once per event id while the id is in the dedup window; an
 * exception makes the consumer retry the event, then dead-letter it. Make implementations
 * idempotent (e.g. an upsert keyed by {@code eventId} or {@code (server, trackingId)}): after a
 * restart, a rebalance, a failure after the effect, or beyond the window the same event can come
 * again.
 */
public interface TransferEventHandler {

  /** The transfer is {@code ACTIVE}: its recipients can download. */
  void onActive(TransferEvent event);

  /** Cryptshare's processing failed; the files are removed. */
  void onFailed(TransferEvent event);

  /**
   * The transfer ended {@code DELETED}, {@code REJECTED} or {@code ABANDONED} without becoming
   * downloadable; {@code event.error()} says why for the last two.
   */
  void onEndedWithoutDownloads(TransferEvent event);
}

package io.github.cspipeline.simulator.stats;

/**
 * Timestamps (nanoseconds) of the events of the last second, in a growable ring. Answers how many
 * events a sliding one-second window holds and remembers the highest count seen. The maximum over
 * all sliding windows is always reached by a window that ends at an event, so counting at each
 * event is exact.
 */
public final class SlidingWindow {

  private static final long WINDOW_NANOS = 1_000_000_000L;

  private long[] ring = new long[64];
  private int head;
  private int size;
  private long last = Long.MIN_VALUE;
  private long max;

  /** Records an event at {@code nanos}; returns the number of events in the window ending there. */
  public synchronized int record(long nanos) {
    long now = evict(nanos);
    push(now);
    max = Math.max(max, size);
    return size;
  }

  /** Records an event only if the window ending now holds fewer than {@code limit} events. */
  public synchronized boolean tryRecord(long nanos, int limit) {
    long now = evict(nanos);
    if (size >= limit) {
      return false;
    }
    push(now);
    max = Math.max(max, size);
    return true;
  }

  public synchronized long max() {
    return max;
  }

  public synchronized void reset() {
    head = 0;
    size = 0;
    max = 0;
    last = Long.MIN_VALUE;
  }

  // A clock may step back; treating such an event as simultaneous keeps the ring sorted.
  private long evict(long nanos) {
    long now = Math.max(nanos, last);
    last = now;
    while (size > 0 && ring[head] <= now - WINDOW_NANOS) {
      head = (head + 1) % ring.length;
      size--;
    }
    return now;
  }

  private void push(long now) {
    if (size == ring.length) {
      long[] bigger = new long[ring.length * 2];
      for (int i = 0; i < size; i++) {
        bigger[i] = ring[(head + i) % ring.length];
      }
      ring = bigger;
      head = 0;
    }
    ring[(head + size) % ring.length] = now;
    size++;
  }
}

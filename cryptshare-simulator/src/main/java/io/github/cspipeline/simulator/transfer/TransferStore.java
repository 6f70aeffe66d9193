package io.github.cspipeline.simulator.transfer;

import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** Finalized transfers by tracking id, by sender (newest first) and by recipient transfer id. */
@Component
public class TransferStore {

  /** One page of a sender's transfers. */
  public record Page(List<Transfer> transfers, int totalCount) {}

  private static final class SenderTransfers {
    private final Deque<Transfer> newestFirst = new ConcurrentLinkedDeque<>();
    private final AtomicInteger count = new AtomicInteger();
  }

  private final Map<String, Transfer> byTrackingId = new ConcurrentHashMap<>();
  private final Map<String, SenderTransfers> bySender = new ConcurrentHashMap<>();
  private final Map<String, Transfer> byRecipientId = new ConcurrentHashMap<>();

  /**
   * Adds the transfer unless its tracking id is already a transfer; returns whether it was added.
   */
  public boolean add(Transfer transfer) {
    if (byTrackingId.putIfAbsent(transfer.trackingId(), transfer) != null) {
      return false;
    }
    SenderTransfers sender =
        bySender.computeIfAbsent(transfer.senderKey(), key -> new SenderTransfers());
    sender.newestFirst.addFirst(transfer);
    sender.count.incrementAndGet();
    for (String recipientId : transfer.recipientIds()) {
      byRecipientId.put(recipientId, transfer);
    }
    return true;
  }

  public @Nullable Transfer get(String trackingId) {
    return byTrackingId.get(trackingId);
  }

  public boolean contains(String trackingId) {
    return byTrackingId.containsKey(trackingId);
  }

  public @Nullable Transfer byRecipientId(String recipientId) {
    return byRecipientId.get(recipientId);
  }

  /** A page (1-based) of the sender's transfers, newest first. */
  public Page page(String senderKey, int page, int pageSize) {
    SenderTransfers sender = bySender.get(senderKey);
    if (sender == null) {
      return new Page(List.of(), 0);
    }
    long skip = (long) (page - 1) * pageSize;
    List<Transfer> result = new ArrayList<>(pageSize);
    Iterator<Transfer> iterator = sender.newestFirst.iterator();
    for (long i = 0; i < skip && iterator.hasNext(); i++) {
      iterator.next();
    }
    while (result.size() < pageSize && iterator.hasNext()) {
      result.add(iterator.next());
    }
    return new Page(result, sender.count.get());
  }

  public int size() {
    return byTrackingId.size();
  }

  public void clear() {
    byTrackingId.clear();
    bySender.clear();
    byRecipientId.clear();
  }
}

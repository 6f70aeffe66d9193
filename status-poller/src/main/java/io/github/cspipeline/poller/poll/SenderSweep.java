package io.github.cspipeline.poller.poll;

import io.github.cspipeline.poller.watch.TransferKey;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.poller.watch.WatchIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Bulk reconciliation: reads a sender's transfer list (newest first, up to 100 per page) and claims
 * every transfer on it that this instance watches for that sender and no poll holds, so that one
 * request settles up to a page of watches instead of one status request each.
 *
 * <p>Paging stops at the last page, once as many watched transfers were seen as the sender has, or
 * after {@code maxPages}. A watch the list does not show is polled on its own.
 */
public final class SenderSweep {

  /** A claimed watch and the state the list shows for it. */
  public record Listed(Watch watch, String state) {}

  /**
   * @param listed the claimed watches the list showed, the trigger included if it was listed
   * @param triggerListed whether the watch that started the sweep was on a page read
   * @param pages pages requested
   * @param states the state of every transfer on the pages read, by tracking id
   * @param failure why the last page could not be read, if it could not
   */
  public record Result(
      List<Listed> listed,
      boolean triggerListed,
      int pages,
      Map<String, String> states,
      @Nullable PollOutcome failure) {}

  private final WatchIndex watches;
  private final StatusSource source;
  private final int pageSize;
  private final int maxPages;
  private final PollerMetrics metrics;

  public SenderSweep(
      WatchIndex watches, StatusSource source, int pageSize, int maxPages, PollerMetrics metrics) {
    this.watches = watches;
    this.source = source;
    this.pageSize = pageSize;
    this.maxPages = maxPages;
    this.metrics = metrics;
  }

  /** Sweeps the list of the sender of {@code trigger}, a due watch the caller has claimed. */
  public Result sweep(Watch trigger) {
    var listed = new ArrayList<Listed>();
    var states = new HashMap<String, String>();
    try {
      return sweep(trigger, listed, states);
    } catch (RuntimeException e) {
      // The watches claimed so far must reach the caller, or they would stay claimed for good.
      boolean triggerListed = listed.stream().anyMatch(l -> l.watch().key().equals(trigger.key()));
      return new Result(
          List.copyOf(listed),
          triggerListed,
          0,
          Map.copyOf(states),
          new PollOutcome.Failed("unexpected: " + e));
    }
  }

  private Result sweep(Watch trigger, List<Listed> listed, Map<String, String> states) {
    var server = trigger.server();
    var sender = trigger.sender();
    int watchedBySender = watches.watchedBy(server, sender);
    boolean triggerListed = false;
    var seen = new HashSet<TransferKey>();
    int page = 0;
    while (page < maxPages) {
      page++;
      int number = page;
      metrics.listPage(server);
      var outcome =
          metrics.timeRequest(server, "list", () -> source.list(server, sender, number, pageSize));
      if (outcome instanceof ListOutcome.Failed(var failure)) {
        return new Result(List.copyOf(listed), triggerListed, page, Map.copyOf(states), failure);
      }
      var rows = ((ListOutcome.Page) outcome).rows();
      for (var row : rows) {
        states.putIfAbsent(row.trackingId(), row.state());
        var key = new TransferKey(server, row.trackingId());
        if (seen.contains(key)) {
          // The list shifted under the pages as new transfers came in: a row seen before.
          continue;
        }
        if (key.equals(trigger.key())) {
          triggerListed = true;
          seen.add(key);
          listed.add(new Listed(trigger, row.state()));
          continue;
        }
        var claimed = watches.claimListed(key, sender);
        if (claimed.isPresent()) {
          seen.add(key);
          listed.add(new Listed(claimed.get(), row.state()));
        } else if (watches.contains(key)) {
          // Watched, but a poll holds it right now.
          seen.add(key);
        }
      }
      if (rows.size() < pageSize || seen.size() >= watchedBySender) {
        break;
      }
    }
    return new Result(List.copyOf(listed), triggerListed, page, Map.copyOf(states), null);
  }
}

package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.TransferSummary;
import java.util.List;

/** What one page of a sender's transfer list brought. */
public sealed interface ListOutcome {

  /** The rows of the page, newest first; fewer than asked for on the last page. */
  record Page(List<TransferSummary> rows) implements ListOutcome {
    public Page {
      rows = List.copyOf(rows);
    }
  }

  /** The page could not be fetched; the poll outcome says how the sweep's trigger goes on. */
  record Failed(PollOutcome outcome) implements ListOutcome {}
}

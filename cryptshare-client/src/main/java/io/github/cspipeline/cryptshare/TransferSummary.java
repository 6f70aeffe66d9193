package io.github.cspipeline.cryptshare;

import java.util.Locale;

/**
 * One row of the sender transfer list.
 *
 * @param trackingId the transfer's tracking id
 * @param state Cryptshare's state, upper case
 */
public record TransferSummary(String trackingId, String state) {
  public TransferSummary {
    state = state.toUpperCase(Locale.ROOT);
  }
}

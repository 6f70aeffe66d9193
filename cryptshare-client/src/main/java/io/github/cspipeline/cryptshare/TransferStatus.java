package io.github.cspipeline.cryptshare;

import io.github.cspipeline.model.event.Recipient;
import java.util.List;
import java.util.Locale;

/**
 * What Cryptshare reports of a finalized transfer.
 *
 * @param state Cryptshare's state, upper case (e.g. {@code PROCESSING}, {@code ACTIVE}, {@code
 *     DELETED_BY_EXPIRATION}, or one this code does not know yet)
 * @param warnings a partly successful transfer
 * @param recipients the recipients with their download URLs
 */
public record TransferStatus(String state, boolean warnings, List<Recipient> recipients) {
  public TransferStatus {
    state = state.toUpperCase(Locale.ROOT);
    recipients = List.copyOf(recipients);
  }
}

package io.github.cspipeline.gateway.status;

import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway answers for a transfer: {@code ACCEPTED} from the command until the first event,
 * then the latest state the events reported.
 */
public record TransferView(
    String server,
    String sender,
    String trackingId,
    String state,
    Instant updatedAt,
    @Nullable URI statusUrl,
    List<Recipient> recipients,
    @Nullable TransferError error) {

  public static final String ACCEPTED = "ACCEPTED";

  public TransferView {
    recipients = List.copyOf(recipients);
  }

  static TransferView accepted(String server, String sender, String trackingId, Instant at) {
    return new TransferView(server, sender, trackingId, ACCEPTED, at, null, List.of(), null);
  }

  static TransferView of(TransferEvent event) {
    return new TransferView(
        event.server(),
        event.sender(),
        event.trackingId(),
        event.state().name(),
        event.occurredAt(),
        event.statusUrl(),
        event.recipients(),
        event.error());
  }

  boolean isTerminal() {
    return rank() == 2;
  }

  /** Events may arrive out of order across topics: a later stage never gives way to an earlier. */
  int rank() {
    return switch (state) {
      case ACCEPTED -> 0;
      case "PROCESSING" -> 1;
      default -> 2;
    };
  }
}

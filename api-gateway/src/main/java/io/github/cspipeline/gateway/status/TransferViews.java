package io.github.cspipeline.gateway.status;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The status view: one entry per {@code (server, trackingId)}, built from the command and event
 * topics. Every instance reads both topics whole, so any instance answers for any transfer.
 */
@Component
public class TransferViews {

  private record Key(String server, String trackingId) {}

  private final ConcurrentHashMap<Key, TransferView> views = new ConcurrentHashMap<>();

  public Optional<TransferView> find(String server, String trackingId) {
    return Optional.ofNullable(views.get(new Key(server, trackingId)));
  }

  /**
   * Records a request as accepted unless the transfer is known already.
   *
   * @return the existing view, or empty when this call created the entry
   */
  public Optional<TransferView> acceptIfAbsent(
      String server, String sender, String trackingId, Instant at) {
    return Optional.ofNullable(
        views.putIfAbsent(
            new Key(server, trackingId), TransferView.accepted(server, sender, trackingId, at)));
  }

  /** Undoes {@link #acceptIfAbsent} when the command could not be handed to Kafka. */
  public void forgetAccepted(String server, String trackingId) {
    views.computeIfPresent(
        new Key(server, trackingId), (k, v) -> v.state().equals(TransferView.ACCEPTED) ? null : v);
  }

  void apply(FinalizeCommand command) {
    views.putIfAbsent(
        new Key(command.server(), command.trackingId()),
        TransferView.accepted(
            command.server(), command.sender(), command.trackingId(), command.requestedAt()));
  }

  void apply(TransferEvent event) {
    var update = TransferView.of(event);
    views.merge(
        new Key(event.server(), event.trackingId()),
        update,
        (current, next) -> {
          // Exactly one terminal state is kept; a non-terminal update never overrides a later one.
          if (current.isTerminal() || next.rank() < current.rank()) {
            return current;
          }
          return next;
        });
  }

  public int size() {
    return views.size();
  }
}

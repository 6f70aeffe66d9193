package io.github.cspipeline.worker.resilience;

import java.util.Collection;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Pauses the command consumer while taking in more commands is pointless: when every server's
 * circuit is open (nothing could be finalized; new commands stay in Kafka instead of piling up in
 * memory), or when the instance already works on {@code maxPending} transfers. Resumes as soon as
 * neither holds. Commands of one server whose circuit is open while another's is closed are still
 * taken in and simply wait for their circuit.
 */
public final class ConsumptionControl {

  private static final Logger log = LoggerFactory.getLogger(ConsumptionControl.class);

  private final Supplier<@Nullable MessageListenerContainer> container;
  private final List<ServerGuard> guards;
  private final IntSupplier pending;
  private final int maxPending;
  private volatile boolean paused;

  public ConsumptionControl(
      Supplier<@Nullable MessageListenerContainer> container,
      Collection<ServerGuard> guards,
      IntSupplier pending,
      int maxPending) {
    this.container = container;
    this.guards = List.copyOf(guards);
    this.pending = pending;
    this.maxPending = maxPending;
    guards.forEach(
        g -> g.circuitBreaker().getEventPublisher().onStateTransition(e -> reevaluate()));
  }

  /** Pauses or resumes the consumer as the circuits and the work in progress require. */
  public synchronized void reevaluate() {
    var target = container.get();
    if (target == null) {
      return;
    }
    boolean allOpen = !guards.isEmpty() && guards.stream().allMatch(ServerGuard::isOpen);
    int inWork = pending.getAsInt();
    boolean full = inWork >= maxPending;
    boolean pause = allOpen || full;
    if (pause && !target.isPauseRequested()) {
      log.warn(
          "Pausing consumption of finalize commands: {}",
          allOpen
              ? "the circuit of every Cryptshare server is open"
              : inWork + " transfers in work (max-pending " + maxPending + ")");
      target.pause();
    } else if (!pause && target.isPauseRequested()) {
      log.info("Resuming consumption of finalize commands");
      target.resume();
    }
    paused = pause;
  }

  /** 1 while paused, for the gauge. */
  public int paused() {
    return paused ? 1 : 0;
  }
}

package io.github.cspipeline.simulator.config;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The part of the configuration that the control API can change at run time. It starts from {@link
 * SimulatorProperties} and goes back to them on reset.
 */
@Component
public class SimulatorSettings {

  /** The current values; they apply to transfers finalized from now on. */
  public record Values(boolean autoSessions, Duration processingTime, double failedRatio) {}

  /** A partial update: absent fields keep their value. */
  public record Update(
      @Nullable Boolean autoSessions,
      @Nullable Duration processingTime,
      @Nullable Double failedRatio) {}

  private final SimulatorProperties properties;
  private final AtomicReference<Values> current;

  public SimulatorSettings(SimulatorProperties properties) {
    this.properties = properties;
    this.current = new AtomicReference<>(initial());
  }

  public Values current() {
    return current.get();
  }

  public Values update(Update update) {
    if (update.processingTime() != null && update.processingTime().isNegative()) {
      throw new IllegalArgumentException("processingTime must not be negative");
    }
    if (update.failedRatio() != null && !(update.failedRatio() >= 0 && update.failedRatio() <= 1)) {
      throw new IllegalArgumentException("failedRatio must be between 0 and 1");
    }
    return current.updateAndGet(
        old ->
            new Values(
                update.autoSessions() != null ? update.autoSessions() : old.autoSessions(),
                update.processingTime() != null ? update.processingTime() : old.processingTime(),
                update.failedRatio() != null ? update.failedRatio() : old.failedRatio()));
  }

  public void reset() {
    current.set(initial());
  }

  private Values initial() {
    return new Values(
        properties.autoSessions(), properties.processingTime(), properties.failedRatio());
  }
}

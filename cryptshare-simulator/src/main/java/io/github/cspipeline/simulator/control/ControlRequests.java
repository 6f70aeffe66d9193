package io.github.cspipeline.simulator.control;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Request and answer bodies of the control API. */
public final class ControlRequests {

  private ControlRequests() {}

  public record ConfigView(boolean autoSessions, String processingTime, double failedRatio) {}

  public record SenderUpdate(@Nullable Boolean verified) {}

  public record SenderView(String email, boolean verified, @Nullable String verificationCode) {}

  /**
   * A seeded session. Absent {@code recipients} mean one default recipient and absent {@code files}
   * one uploaded file; empty lists mean none.
   */
  public record SessionSeed(
      @Nullable String sender,
      @Nullable String trackingId,
      @Nullable List<String> recipients,
      @Nullable List<FileSeed> files,
      @Nullable String outcome,
      @Nullable Duration processingTime) {}

  public record FileSeed(@Nullable String name, @Nullable Long size, @Nullable Boolean uploaded) {}

  public record SeededSession(
      String sender, String trackingId, String sessionUrl, String statusUrl) {}

  public record StateUpdate(@Nullable String state) {}

  public record TransferCalls(
      String trackingId,
      @Nullable String state,
      int finalizeCalls,
      int statusCalls,
      boolean sessionOpen,
      @Nullable String lastFinalizeTraceparent) {}
}

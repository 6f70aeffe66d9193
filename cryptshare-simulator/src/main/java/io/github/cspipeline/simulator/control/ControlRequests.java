package io.github.cspipeline.simulator.control;

import io.github.cspipeline.simulator.stats.CallCounts;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Request and answer bodies of the control API. */
public final class ControlRequests {

  private ControlRequests() {}

  public record ConfigView(boolean autoSessions, String processingTime, double failedRatio) {}

  /**
   * A sender as the control API shows it.
   *
   * @param invalidTokenStatus 401 or 403: the status of a 3002 refusal of this sender's token
   * @param policy {@code SENDER_REJECTED} (403/3010) or {@code SENDER_RECIPIENT_REJECTED}
   *     (403/3011) refuses every finalize of the sender; null lets it finalize
   */
  public record SenderView(
      String email,
      boolean verified,
      @Nullable String verificationCode,
      int invalidTokenStatus,
      @Nullable String policy) {}

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

  /**
   * Many finalized transfers at once: transfer {@code i} (0-based) of {@code count} has the
   * tracking id {@code <trackingIdPrefix>-<i, six digits at least>} and the sender {@code senders[i
   * % senders.size()]}, one uploaded file and one recipient.
   */
  public record TransferSeed(
      @Nullable List<String> senders,
      @Nullable Integer count,
      @Nullable String trackingIdPrefix,
      @Nullable String outcome,
      @Nullable Duration processingTime) {}

  public record SeededTransfers(int created, String firstStatusUrl, String lastStatusUrl) {}

  public record RevokedTokens(String email, int revoked) {}

  /**
   * What happened to one tracking id. {@code finalizeCalls} counts every finalize that arrived;
   * {@code finalizeOutcomes} counts each once it ended, so the two agree once none is running.
   */
  public record TransferCalls(
      String trackingId,
      @Nullable String state,
      int finalizeCalls,
      int statusCalls,
      int effectiveFinalizes,
      FinalizeOutcomes finalizeOutcomes,
      boolean sessionOpen,
      @Nullable String lastFinalizeTraceparent,
      @Nullable String lastStatusTraceparent) {}

  public record FinalizeOutcomes(int created, int refused, int notFound, int answerLost) {

    static FinalizeOutcomes of(CallCounts.Outcomes outcomes) {
      return new FinalizeOutcomes(
          outcomes.created(), outcomes.refused(), outcomes.notFound(), outcomes.answerLost());
    }
  }

  /** One entry of {@code GET /simulator/transfers}: a tracking id with at least one finalize. */
  public record TransferSummary(
      String trackingId,
      @Nullable String sender,
      @Nullable String state,
      int finalizeCalls,
      int statusCalls,
      int effectiveFinalizes,
      FinalizeOutcomes finalizeOutcomes) {}

  public record TransferSummaries(List<TransferSummary> transfers) {}
}

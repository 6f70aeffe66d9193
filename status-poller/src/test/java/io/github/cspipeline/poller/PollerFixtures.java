package io.github.cspipeline.poller;

import io.github.cspipeline.cryptshare.TransferStatus;
import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.testkit.StubCryptshare;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The module's shared test data. */
public final class PollerFixtures {

  public static final String SERVER = "default";
  public static final String SENDER = "alice@example.com";
  public static final Instant T0 = Instant.parse("2026-11-26T10:15:00Z");
  public static final URI BASE_URL = URI.create("https://cs.example.com");

  /** A client id of the format Cryptshare demands: 50+ alphanumerics. */
  public static final String CLIENT_ID = "TestClientId" + "0123456789".repeat(5);

  private PollerFixtures() {}

  /**
   * Cryptshare as the poller meets it: a fresh token per token request, and 404/2003 for the status
   * of every transfer not scripted with {@link StubCryptshare#onStatus}.
   */
  public static StubCryptshare cryptshare() {
    return new StubCryptshare()
        .issuingTokens()
        .answeringStatus(StubCryptshare.error(404, 2003, "stub error 404"));
  }

  public static URI statusUrl(URI baseUrl, String sender, String trackingId) {
    return baseUrl.resolve("/api/users/" + sender + "/transfers/" + trackingId);
  }

  public static TransferEvent processing(String trackingId) {
    return processing(SERVER, trackingId, statusUrl(BASE_URL, SENDER, trackingId), T0);
  }

  public static TransferEvent processing(
      String server, String trackingId, URI statusUrl, Instant occurredAt) {
    return TransferEvent.processing(server, SENDER, trackingId, occurredAt, statusUrl);
  }

  /** A watch as the keeper starts it: first poll after 1 s, deadline after 24 h. */
  public static Watch watch(String trackingId) {
    return watch(SERVER, trackingId, SENDER);
  }

  /** {@link #watch(String)} of a transfer of {@code server} sent by {@code sender}. */
  public static Watch watch(String server, String trackingId, String sender) {
    return watch(server, trackingId, sender, Duration.ofHours(24), null);
  }

  /**
   * A watch as the keeper starts it for a transfer that entered {@code PROCESSING} at T0: watched
   * for {@code watchedFor}, first poll after 1 s (or at the deadline, if sooner).
   */
  public static Watch watch(
      String server,
      String trackingId,
      String sender,
      Duration watchedFor,
      @Nullable String traceparent) {
    var statusUrl = statusUrl(BASE_URL, sender, trackingId);
    return Watch.start(
        TransferEvent.processing(server, sender, trackingId, T0, statusUrl),
        statusUrl,
        T0.plusSeconds(1),
        watchedFor,
        traceparent);
  }

  public static TransferStatus status(String state) {
    return new TransferStatus(state, false, List.of());
  }

  public static TransferStatus active(String trackingId) {
    return new TransferStatus(
        "ACTIVE",
        true,
        List.of(
            new Recipient(
                "bob@example.org",
                URI.create("https://cs.example.com/download/" + trackingId + "/bob"),
                false)));
  }
}

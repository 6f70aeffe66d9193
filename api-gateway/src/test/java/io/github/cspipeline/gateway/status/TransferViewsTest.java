package io.github.cspipeline.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.config.TestGatewayProperties;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransferViewsTest {

  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private final TransferViews views = new TransferViews(properties(10));

  @AfterEach
  void close() {
    views.destroy();
  }

  @Test
  void memory_holds_at_most_the_configured_entries_and_the_rest_is_answered_from_disk() {
    for (int i = 0; i < 1_000; i++) {
      views.apply(command("t-" + i), null);
    }

    assertThat(views.cachedEntries()).isEqualTo(10);
    for (int i = 0; i < 1_000; i++) {
      assertThat(views.find("default", "t-" + i))
          .hasValueSatisfying(v -> assertThat(v.state()).isEqualTo("ACCEPTED"));
    }
    assertThat(views.cachedEntries()).isEqualTo(10);
  }

  @Test
  void a_state_only_moves_forward_and_the_first_terminal_state_stays() {
    views.apply(command("t-1"), null);
    views.apply(event("t-1", TransferState.ACTIVE));
    views.apply(event("t-1", TransferState.PROCESSING));
    views.apply(event("t-1", TransferState.FAILED));
    views.apply(command("t-1"), null);

    assertThat(views.find("default", "t-1").orElseThrow().state()).isEqualTo("ACTIVE");
  }

  @Test
  void watchers_see_every_change_of_their_transfer_only() {
    var seen = new CopyOnWriteArrayList<String>();
    try (var ignored = views.watch("default", "t-1", v -> seen.add(v.state()))) {
      views.apply(command("t-1"), null);
      views.apply(command("t-2"), null);
      views.apply(event("t-1", TransferState.PROCESSING));
      views.apply(event("t-1", TransferState.PROCESSING));
    }
    views.apply(event("t-1", TransferState.ACTIVE));

    assertThat(seen).containsExactly("ACCEPTED", "PROCESSING");
  }

  @Test
  void an_idempotency_key_stays_bound_to_the_first_request() {
    views.apply(command("t-1"), "caller\nkey-1");
    views.apply(command("t-2"), "caller\nkey-1");

    assertThat(views.idempotencyFingerprint("caller\nkey-1"))
        .hasValue(TransferViews.fingerprint("default", "alice@example.com", "t-1"));
    assertThat(views.idempotencyFingerprint("caller\nkey-2")).isEmpty();
  }

  private static FinalizeCommand command(String trackingId) {
    return FinalizeCommand.of(T0, "default", "alice@example.com", trackingId, null);
  }

  private static TransferEvent event(String trackingId, TransferState state) {
    return TransferEvent.of("default", "alice@example.com", trackingId, state, null, T0)
        .withStatusUrl(URI.create("http://cs/status"));
  }

  static GatewayProperties properties(int cacheEntries) {
    return TestGatewayProperties.of(null, cacheEntries);
  }
}

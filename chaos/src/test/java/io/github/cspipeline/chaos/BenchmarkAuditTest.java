package io.github.cspipeline.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.chaos.Events.Event;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkAuditTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  private int offset;

  @Test
  void one_terminal_event_per_transfer_is_no_violation() {
    var audit =
        BenchmarkAudit.of(
            List.of("default/a", "default/b"),
            List.of(
                event("a", "PROCESSING", "e1"),
                event("b", "PROCESSING", "e2"),
                event("a", "ACTIVE", "e3"),
                event("b", "FAILED", "e4")));

    assertThat(audit.violations()).isZero();
    assertThat(audit.terminalEvents()).isEqualTo(2);
    assertThat(audit.states()).containsEntry("ACTIVE", 1).containsEntry("FAILED", 1);
  }

  @Test
  void a_missing_a_duplicated_and_an_unknown_terminal_event_are_three_violations() {
    var audit =
        BenchmarkAudit.of(
            List.of("default/a", "default/b", "default/c"),
            List.of(
                event("a", "ACTIVE", "e1"),
                event("a", "ACTIVE", "e2"),
                event("b", "ACTIVE", "e3"),
                event("x", "ACTIVE", "e4")));

    assertThat(audit.violations()).isEqualTo(3);
    assertThat(audit.missing()).containsExactly("default/c");
    assertThat(audit.duplicated()).singleElement().asString().startsWith("default/a");
    assertThat(audit.unknown()).containsExactly("default/x");
  }

  @Test
  void the_same_terminal_event_published_again_is_counted_but_no_violation() {
    var audit =
        BenchmarkAudit.of(
            List.of("default/a"), List.of(event("a", "ACTIVE", "e1"), event("a", "ACTIVE", "e1")));

    assertThat(audit.violations()).isZero();
    assertThat(audit.republished()).isEqualTo(1);
  }

  @Test
  void percentiles_are_nearest_rank() {
    long[] values = new long[100];
    for (int i = 0; i < 100; i++) {
      values[i] = i + 1;
    }

    var latency = BenchmarkResult.Latency.of(values);

    assertThat(latency.p50()).isEqualTo(50);
    assertThat(latency.p99()).isEqualTo(99);
    assertThat(latency.max()).isEqualTo(100);
    assertThat(BenchmarkResult.Latency.of(new long[0]).count()).isZero();
  }

  private Event event(String trackingId, String state, String eventId) {
    return new Event("default", trackingId, state, eventId, null, 0, offset++, T0);
  }
}

package io.github.cspipeline.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimesTest {

  private final Instant now = Instant.parse("2026-12-02T12:00:00Z");
  private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

  @Test
  void reads_iso_instants_with_any_offset() {
    assertThat(Times.parse("2026-12-02T10:15:00Z", clock))
        .isEqualTo(Instant.parse("2026-12-02T10:15:00Z"));
    assertThat(Times.parse("2026-12-02T11:15:00+01:00", clock))
        .isEqualTo(Instant.parse("2026-12-02T10:15:00Z"));
  }

  @Test
  void reads_times_ago() {
    assertThat(Times.parse("2h ago", clock)).isEqualTo(now.minusSeconds(7200));
    assertThat(Times.parse("90m", clock)).isEqualTo(now.minusSeconds(5400));
    assertThat(Times.parse("1d", clock)).isEqualTo(now.minusSeconds(86400));
    assertThat(Times.parse("30s ago", clock)).isEqualTo(now.minusSeconds(30));
    assertThat(Times.parse("PT2H", clock)).isEqualTo(now.minusSeconds(7200));
  }

  @Test
  void refuses_anything_else_saying_what_it_reads() {
    assertThatThrownBy(() -> Times.parse("yesterday", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2h ago");
  }
}

package io.github.cspipeline.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  private static final Instant T0 = Instant.parse("2026-11-26T10:15:00Z");

  @Test
  void stands_still_until_moved() {
    var clock = new MutableClock(T0);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);

    clock.advance(Duration.ofSeconds(90));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(90));
    assertThat(clock.millis()).isEqualTo(T0.plusSeconds(90).toEpochMilli());

    clock.set(T0);
    assertThat(clock.instant()).isEqualTo(T0);
  }

  @Test
  void a_view_in_another_zone_shares_the_instant() {
    var clock = new MutableClock(T0);
    var berlin = clock.withZone(ZoneId.of("Europe/Berlin"));
    assertThat(berlin.getZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);

    clock.advance(Duration.ofMinutes(1));
    assertThat(berlin.instant()).isEqualTo(T0.plusSeconds(60));
  }
}

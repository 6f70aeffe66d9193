package io.github.cspipeline.gateway.finalization;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ArbitrationTest {

  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private final Arbitration arbitration = new Arbitration(Duration.ofSeconds(15));

  @Test
  void the_first_claim_for_a_key_wins_and_a_later_one_loses_to_it() {
    var first = claim("k");
    var second = claim("k");

    var a = arbitration.apply(first, T0);
    var b = arbitration.apply(second, T0.plusMillis(1));

    assertThat(a).isEqualTo(new Arbitration.Decision.Won(first.claimId(), T0, false));
    assertThat(b).isEqualTo(new Arbitration.Decision.Lost(first, T0));
  }

  @Test
  void claims_for_different_keys_do_not_compete() {
    assertThat(arbitration.apply(claim("k1"), T0)).isInstanceOf(Arbitration.Decision.Won.class);
    assertThat(arbitration.apply(claim("k2"), T0)).isInstanceOf(Arbitration.Decision.Won.class);
  }

  @Test
  void a_claim_after_the_ttl_of_the_winner_takes_over() {
    var first = claim("k");
    arbitration.apply(first, T0);
    var late = claim("k");

    var atTtl = arbitration.apply(claim("k"), T0.plusSeconds(15));
    var afterTtl = arbitration.apply(late, T0.plusSeconds(15).plusMillis(1));

    assertThat(atTtl).isEqualTo(new Arbitration.Decision.Lost(first, T0));
    assertThat(afterTtl)
        .isEqualTo(
            new Arbitration.Decision.Won(late.claimId(), T0.plusSeconds(15).plusMillis(1), true));
    assertThat(arbitration.apply(claim("k"), T0.plusSeconds(20)))
        .isEqualTo(new Arbitration.Decision.Lost(late, T0.plusSeconds(15).plusMillis(1)));
  }

  @Test
  void every_instance_reading_the_same_log_decides_the_same() {
    var log = new java.util.ArrayList<Claim>();
    for (int i = 0; i < 50; i++) {
      log.add(claim("k" + (i % 3)));
    }
    var one = new Arbitration(Duration.ofSeconds(1));
    var other = new Arbitration(Duration.ofSeconds(1));

    for (int i = 0; i < log.size(); i++) {
      var at = T0.plusMillis(i * 300L);
      assertThat(one.apply(log.get(i), at)).isEqualTo(other.apply(log.get(i), at));
    }
  }

  @Test
  void pruning_forgets_only_winners_that_cannot_win_anymore() {
    arbitration.apply(claim("old"), T0);
    var recent = claim("recent");
    arbitration.apply(recent, T0.plusSeconds(30));

    arbitration.prune(Duration.ZERO);

    assertThat(arbitration.size()).isEqualTo(1);
    assertThat(arbitration.apply(claim("recent"), T0.plusSeconds(31)))
        .isEqualTo(new Arbitration.Decision.Lost(recent, T0.plusSeconds(30)));
  }

  private static Claim claim(String key) {
    return new Claim(UUID.randomUUID(), key, "default\nalice@example.com\nt-1", "test", T0);
  }
}

package io.github.cspipeline.cryptshare.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestRateTest {

  static final Instant T0 = Instant.parse("2026-11-26T10:15:00Z");

  private final MutableClock clock = new MutableClock(T0);

  private RequestRate rate(double perSecond) {
    return new RequestRate(perSecond, Duration.ofMillis(100), RequestRate.nanoTimeOf(clock));
  }

  @Test
  void spaces_permits_evenly_with_the_guard() {
    var limiter = rate(10);

    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.untilFree()).isEqualTo(Duration.ofMillis(110));

    clock.advance(Duration.ofMillis(109));
    assertThat(limiter.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  /** Asks for a permit every millisecond for five seconds; when each was granted. */
  private List<Instant> grantedInFiveSeconds(RequestRate limiter) {
    List<Instant> granted = new ArrayList<>();
    for (int ms = 0; ms < 5_000; ms++) {
      if (limiter.tryAcquire()) {
        granted.add(clock.instant());
      }
      clock.advance(Duration.ofMillis(1));
    }
    return granted;
  }

  private static long mostInAnySecond(List<Instant> granted) {
    return granted.stream()
        .mapToLong(
            start ->
                granted.stream()
                    .filter(t -> !t.isBefore(start) && t.isBefore(start.plusSeconds(1)))
                    .count())
        .max()
        .orElse(0);
  }

  @Test
  void never_grants_more_than_the_cap_in_any_second() {
    var granted = grantedInFiveSeconds(rate(50));

    assertThat(mostInAnySecond(granted)).isLessThanOrEqualTo(50);
    // Paced, not starved: within 10 % of the cap.
    assertThat(granted.size()).isGreaterThanOrEqualTo(225);
  }

  @Test
  void an_idle_limiter_grants_a_small_burst_and_no_more() {
    var limiter = rate(50);
    limiter.tryAcquire();

    clock.advance(Duration.ofMinutes(5));

    int burst = 0;
    while (limiter.tryAcquire()) {
      burst++;
    }
    // 50 a second less what refills in a second (50 / 1.1 = 45.45): 4.
    assertThat(burst).isEqualTo(4);
  }

  @Test
  void a_reservation_holds_its_permit_back_from_others_until_used_or_given_back() throws Exception {
    var limiter = rate(10);

    assertThat(limiter.tryReserve()).isTrue();
    assertThat(limiter.tryAcquire()).as("reserved").isFalse();
    assertThat(limiter.tryReserve()).isFalse();

    limiter.cancelReservation();
    assertThat(limiter.tryReserve()).isTrue();
    limiter.acquireReserved();
    assertThat(limiter.untilFree()).isEqualTo(Duration.ofMillis(110));
  }

  // From SendRateCapTest (the worker's former cap on top of resilience4j's limiter): the same
  // guarantee, now from one limiter that spaces permits instead of letting a burst of the whole
  // rate leave at once.

  @Test
  void no_more_than_the_rate_leaves_within_one_second() throws Exception {
    var limiter = rate(3);

    assertThat(limiter.acquire(Duration.ZERO)).isNotNull();
    assertThat(limiter.acquire(Duration.ZERO)).isNull();
    clock.advance(Duration.ofMillis(366));
    assertThat(limiter.acquire(Duration.ZERO)).isNull();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.acquire(Duration.ZERO)).isNotNull();
  }

  @Test
  void a_rate_below_one_allows_one_request_per_period() throws Exception {
    var limiter = new RequestRate(0.5, Duration.ofMillis(100), System::nanoTime);

    assertThat(limiter.acquire(Duration.ZERO)).isNotNull();
    assertThat(limiter.acquire(Duration.ofSeconds(1))).isNull();
  }

  @Test
  void a_fractional_rate_above_one_counts_whole_requests_in_any_second() {
    var granted = grantedInFiveSeconds(rate(2.5));

    assertThat(mostInAnySecond(granted)).isLessThanOrEqualTo(2);
    assertThat(granted.size()).isGreaterThanOrEqualTo(9);
  }

  /**
   * Sends a request whenever a permit is free, for five seconds, each reaching the server {@code
   * delayMs.apply(n)} ms after its permit (answered at once); when the server counted each.
   */
  private List<Instant> countedByServer(
      RequestRate limiter, java.util.function.IntUnaryOperator delayMs) throws Exception {
    List<Instant> counted = new ArrayList<>();
    var inFlight = new java.util.TreeMap<Instant, List<RequestRate.Permit>>();
    for (int ms = 0; ms < 5_000; ms++) {
      var now = clock.instant();
      for (var arrived : inFlight.headMap(now, true).values()) {
        for (var permit : arrived) {
          counted.add(now);
          permit.ended();
        }
      }
      inFlight.headMap(now, true).clear();
      if (limiter.untilFree().isZero()) {
        var permit = limiter.acquire();
        inFlight
            .computeIfAbsent(
                now.plusMillis(delayMs.applyAsInt(counted.size() + inFlight.size())),
                t -> new ArrayList<>())
            .add(permit);
      }
      clock.advance(Duration.ofMillis(1));
    }
    return counted;
  }

  @Test
  void requests_that_reach_the_server_bunched_stay_within_the_cap_as_the_server_counts()
      throws Exception {
    // Every twentieth request is held up 150 ms between its permit and the server (a thread
    // descheduled under load): spacing alone would let the server count eleven in one second.
    var counted = countedByServer(rate(10), n -> n % 20 == 0 ? 150 : 0);

    assertThat(mostInAnySecond(counted)).isLessThanOrEqualTo(10);
    // Paced, not starved: a slow request costs its own delay, not the cap.
    assertThat(counted.size()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void a_request_in_flight_holds_its_slot_until_a_second_after_its_answer() throws Exception {
    var limiter = rate(1);

    var permit = limiter.acquire();
    clock.advance(Duration.ofSeconds(10));
    assertThat(limiter.tryAcquire()).as("still in flight").isFalse();
    assertThat(limiter.untilFree()).isEqualTo(Duration.ofSeconds(1));

    permit.ended();
    clock.advance(Duration.ofMillis(999));
    assertThat(limiter.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void a_request_that_hangs_holds_only_its_own_slot() throws Exception {
    // The first request never answers (until its read timeout); the other nine slots go on:
    // the next requests each wait only for their own slot, a second after its request ended.
    var limiter = rate(10);
    var hanging = limiter.acquire();
    var granted = new ArrayList<Instant>();
    for (int ms = 0; ms < 5_000; ms++) {
      if (limiter.tryAcquire()) {
        granted.add(clock.instant());
      }
      clock.advance(Duration.ofMillis(1));
    }

    assertThat(mostInAnySecond(granted)).isEqualTo(9);
    assertThat(granted).hasSizeGreaterThanOrEqualTo(40);
    hanging.ended();
  }
}

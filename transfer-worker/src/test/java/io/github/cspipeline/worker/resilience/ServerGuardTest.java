package io.github.cspipeline.worker.resilience;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.answer;
import static io.github.cspipeline.worker.WorkerFixtures.lostAnswer;
import static io.github.cspipeline.worker.WorkerFixtures.unreachable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.cryptshare.budget.RequestRate;
import io.github.cspipeline.testkit.MutableClock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerGuardTest {

  final MutableClock clock = new MutableClock(NOW);
  final CircuitBreaker breaker =
      CircuitBreaker.of(
          SERVER,
          CircuitBreakerConfig.custom()
              .slidingWindowSize(4)
              .minimumNumberOfCalls(4)
              .failureRateThreshold(50)
              .waitDurationInOpenState(Duration.ofMinutes(1))
              .build());
  final AtomicInteger sent = new AtomicInteger();

  ServerGuard guard(RequestRate rate, Bulkhead bulkhead) {
    return new ServerGuard(
        SERVER, breaker, new RequestBudget(rate, bulkhead), Retry.ofDefaults(SERVER), clock);
  }

  final ServerGuard guard = guard(null, Bulkhead.ofDefaults(SERVER));

  void fail(CryptshareException e) {
    assertThatThrownBy(
            () ->
                guard.call(
                    () -> {
                      sent.incrementAndGet();
                      throw e;
                    }))
        .isSameAs(e);
  }

  /** The call is refused before anything is sent, for an open circuit or for want of a permit. */
  void assertNotSent(ServerGuard guard, boolean forOpenCircuit) {
    assertThatThrownBy(() -> guard.call(sent::incrementAndGet))
        .isInstanceOfSatisfying(
            CryptshareException.Unreachable.class,
            e -> assertThat(ServerGuard.notSentCause(e).circuitOpen()).isEqualTo(forOpenCircuit));
  }

  @Test
  void server_errors_and_missing_answers_open_the_circuit_and_then_nothing_is_sent() {
    fail(answer(503, 5000));
    fail(answer(408, null));
    fail(unreachable());
    fail(lostAnswer());

    assertThat(guard.isOpen()).isTrue();
    assertNotSent(guard, true);
    assertThat(sent).hasValue(4);
  }

  @Test
  void refusals_prove_the_server_works_and_rate_limiting_counts_as_neither() {
    fail(answer(409, 2001));
    fail(answer(404, 2003));
    fail(answer(401, 3002));
    fail(answer(429, 2007, Duration.ofSeconds(1)));
    fail(answer(503, 5000));

    assertThat(guard.isOpen()).isFalse();
    assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isEqualTo(4);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
  }

  @Test
  void an_open_circuit_past_the_deadline_is_reported_at_once() throws Exception {
    breaker.transitionToOpenState();

    assertThat(guard.awaitNotOpen(NOW)).isFalse();
    breaker.transitionToHalfOpenState();
    assertThat(guard.awaitNotOpen(NOW)).isTrue();
  }

  @Test
  void a_request_without_rate_permit_in_time_is_not_sent() {
    // One a minute; the default bulkhead waits no time, for a slot or a permit.
    var limited = guard(RequestRate.of(1.0 / 60), Bulkhead.ofDefaults(SERVER));

    assertThat(limited.call(sent::incrementAndGet)).isEqualTo(1);
    assertNotSent(limited, false);
    assertThat(sent).hasValue(1);
  }

  @Test
  void a_request_without_a_free_slot_in_time_is_not_sent_and_slots_are_given_back() {
    var bulkhead =
        Bulkhead.of(
            SERVER,
            BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
    var narrow = guard(null, bulkhead);

    var inner =
        narrow.call(
            () ->
                assertThatThrownBy(() -> narrow.call(sent::incrementAndGet))
                    .isInstanceOf(CryptshareException.Unreachable.class));
    assertThat(inner).isNotNull();
    assertThat(narrow.call(sent::incrementAndGet)).isEqualTo(1);
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
  }

  @Test
  void a_stopping_transfer_sends_nothing_and_gives_its_permission_back() {
    var stopSwitch = new StopSwitch();
    stopSwitch.bind();
    try {
      stopSwitch.stop();
      Thread.interrupted();

      assertThatThrownBy(() -> guard.call(sent::incrementAndGet))
          .isInstanceOf(CryptshareException.Unreachable.class);
      assertThat(sent).hasValue(0);
      assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
    } finally {
      stopSwitch.ended();
    }
  }

  @Test
  void a_request_holds_its_rate_slot_until_a_second_after_its_answer() {
    // One request a second; the answer takes 10 s. Whenever the server counted it, the next
    // request may leave only a second after the answer came back (RequestRate).
    var rate = new RequestRate(1, Duration.ofMillis(100), RequestRate.nanoTimeOf(clock));
    var slow = guard(rate, Bulkhead.ofDefaults(SERVER));

    var answer =
        slow.call(
            () -> {
              assertThat(rate.tryAcquire()).as("while the request is in flight").isFalse();
              clock.advance(Duration.ofSeconds(10));
              return "answer";
            });

    assertThat(answer).isEqualTo("answer");
    clock.advance(Duration.ofMillis(999));
    assertThat(rate.tryAcquire()).as("within a second of the answer").isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(rate.tryAcquire()).as("a second after the answer").isTrue();
  }
}

package io.github.cspipeline.worker.resilience;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.testkit.MutableClock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.MessageListenerContainer;

class ConsumptionControlTest {

  final MessageListenerContainer container = mock(MessageListenerContainer.class);
  final AtomicInteger pending = new AtomicInteger();

  static ServerGuard guard(String server) {
    return new ServerGuard(
        server,
        CircuitBreaker.ofDefaults(server),
        new RequestBudget(null, Bulkhead.ofDefaults(server)),
        Retry.ofDefaults(server),
        new MutableClock(NOW));
  }

  final ServerGuard one = guard("one");
  final ServerGuard two = guard("two");
  final ConsumptionControl control =
      new ConsumptionControl(() -> container, List.of(one, two), pending::get, 10);

  @Test
  void consumption_pauses_only_when_every_servers_circuit_is_open() {
    one.circuitBreaker().transitionToOpenState();
    control.reevaluate();
    verify(container, never()).pause();

    two.circuitBreaker().transitionToOpenState();

    verify(container).pause();
    assertThat(control.paused()).isEqualTo(1);
  }

  @Test
  void consumption_resumes_when_a_circuit_lets_calls_through_again() {
    one.circuitBreaker().transitionToOpenState();
    two.circuitBreaker().transitionToOpenState();
    when(container.isPauseRequested()).thenReturn(true);

    one.circuitBreaker().transitionToHalfOpenState();

    verify(container).resume();
    assertThat(control.paused()).isZero();
  }

  @Test
  void consumption_pauses_while_too_many_transfers_are_in_work() {
    pending.set(10);

    control.reevaluate();

    verify(container).pause();
  }
}

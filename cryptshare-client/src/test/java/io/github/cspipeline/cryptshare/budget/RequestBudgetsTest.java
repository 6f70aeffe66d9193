package io.github.cspipeline.cryptshare.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.cryptshare.HttpAnswer;
import io.github.cspipeline.testkit.MutableClock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.junit.jupiter.api.Test;

class RequestBudgetsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:15:00Z"));
  private final Map<String, URI> servers = new LinkedHashMap<>();
  private int sent;

  {
    servers.put("one", URI.create("https://cs.example.com"));
    servers.put("alias", URI.create("HTTPS://CS.example.com:443/other"));
    servers.put("two", URI.create("http://two.example.com"));
  }

  private final RequestBudgets budgets =
      new RequestBudgets(
          servers,
          ids ->
              new RequestBudget(
                  new RequestRate(10, Duration.ofMillis(100), RequestRate.nanoTimeOf(clock)),
                  Bulkhead.of(
                      ids.getFirst(),
                      BulkheadConfig.custom()
                          .maxConcurrentCalls(2)
                          .maxWaitDuration(Duration.ZERO)
                          .build())));

  private void request(String url) throws Exception {
    budgets.intercept(
        new HttpGet(URI.create(url)),
        r -> {
          sent++;
          return new HttpAnswer(200, new byte[0], null, null);
        });
  }

  private void requestWith(RequestBudget.Reservation reservation, String url) {
    reservation.use(
        () -> {
          try {
            request(url);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return null;
        });
  }

  @Test
  void servers_on_one_origin_share_one_budget_named_after_the_first() {
    assertThat(budgets.of("alias")).isSameAs(budgets.of("one"));
    assertThat(budgets.of("two")).isNotSameAs(budgets.of("one"));
    assertThat(budgets.all()).hasSize(2);
    assertThat(budgets.of("alias").concurrency().getName()).isEqualTo("one");
    assertThat(budgets.isConfigured("three")).isFalse();
    assertThatThrownBy(() -> budgets.of("three")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_reservation_holds_a_slot_and_the_permit_of_the_first_request() throws Exception {
    var budget = budgets.of("one");
    var reservation = budget.tryReserve();

    assertThat(reservation).isNotNull();
    assertThat(budget.inFlight()).isEqualTo(1);
    assertThat(budget.tryReserve()).as("the permit is reserved").isNull();
    assertThat(budget.inFlight()).as("a refused reservation holds no slot").isEqualTo(1);

    requestWith(reservation, "https://cs.example.com/api/x");
    assertThat(sent).isEqualTo(1);
    assertThat(budget.untilFree()).isEqualTo(Duration.ofMillis(110));
    assertThat(budget.inFlight()).as("the slot is held until released").isEqualTo(1);

    reservation.close();
    reservation.close();
    assertThat(budget.inFlight()).isZero();
  }

  @Test
  void an_unused_reservation_is_given_back_once_whichever_way_the_work_ends() {
    var budget = budgets.of("two");
    var reservation = budget.tryReserve();

    assertThatThrownBy(
            () ->
                reservation.use(
                    () -> {
                      throw new IllegalStateException("no request sent");
                    }))
        .isInstanceOf(IllegalStateException.class);
    reservation.releaseSlot();
    reservation.close();

    assertThat(budget.inFlight()).isZero();
    assertThat(budget.untilFree()).isEqualTo(Duration.ZERO);
    try (var again = budget.tryReserve()) {
      assertThat(again).isNotNull();
      assertThat(budget.tryReserve()).isNull();
    }
    assertThat(budget.untilFree()).isEqualTo(Duration.ZERO);
  }

  @Test
  void a_reservation_of_another_origin_is_given_back_and_the_request_takes_its_own_permit()
      throws Exception {
    var reservation = budgets.of("one").tryReserve();
    requestWith(reservation, "http://two.example.com/api/x");

    assertThat(budgets.of("one").untilFree()).isEqualTo(Duration.ZERO);
    assertThat(budgets.of("two").untilFree()).isEqualTo(Duration.ofMillis(110));
    reservation.close();
    assertThat(budgets.inFlight()).isZero();
  }

  @Test
  void requests_to_origins_without_budget_pass_at_once() throws Exception {
    request("https://elsewhere.example.com/api/x");
    request("https://elsewhere.example.com/api/x");

    assertThat(sent).isEqualTo(2);
    assertThat(List.of(budgets.of("one").untilFree(), budgets.of("two").untilFree()))
        .containsOnly(Duration.ZERO);
  }
}

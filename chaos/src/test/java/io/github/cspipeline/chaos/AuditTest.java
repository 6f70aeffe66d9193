package io.github.cspipeline.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.chaos.Audit.Violation;
import io.github.cspipeline.chaos.Events.Event;
import io.github.cspipeline.chaos.Load.Kind;
import io.github.cspipeline.chaos.Load.Transfer;
import io.github.cspipeline.chaos.Simulator.Record;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  private int offset;

  @Test
  void a_transfer_with_one_expected_terminal_event_and_one_effective_finalize_is_no_violation() {
    var t = accepted(Kind.ACTIVE, "t1", T0);
    var audit =
        Audit.of(
            List.of(t),
            List.of(
                event("t1", "PROCESSING", T0.plusSeconds(1)),
                event("t1", "ACTIVE", T0.plusSeconds(3))),
            Map.of("t1", finalized("t1", "ACTIVE", 1)),
            T0.plusSeconds(2));

    assertThat(audit.violationCount()).isZero();
    assertThat(audit.fromAcceptance).containsExactly(Duration.ofSeconds(3));
    assertThat(audit.afterLastFault).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void an_accepted_transfer_without_terminal_event_is_lost() {
    var audit =
        auditOfT1(Kind.ACTIVE, "PROCESSING", Map.of("t1", finalized("t1", "PROCESSING", 1)));

    assertThat(audit.violations.get(Violation.LOST)).hasSize(1);
    assertThat(audit.violationCount()).isEqualTo(1);
  }

  @Test
  void two_terminal_events_are_a_duplicate_whatever_their_event_ids_and_two_states_a_conflict() {
    var audit =
        Audit.of(
            List.of(accepted(Kind.ACTIVE, "t1", T0), accepted(Kind.ACTIVE, "t2", T0)),
            List.of(
                event("t1", "ACTIVE", T0),
                event("t1", "ACTIVE", T0),
                event("t2", "ACTIVE", T0),
                event("t2", "ABANDONED", T0)),
            Map.of("t1", finalized("t1", "ACTIVE", 1), "t2", finalized("t2", "ACTIVE", 1)),
            T0);

    assertThat(audit.violations.get(Violation.DUPLICATE)).hasSize(2);
    assertThat(audit.violations.get(Violation.CONFLICTING))
        .hasSize(1)
        .first()
        .asString()
        .contains("t2");
  }

  @Test
  void rejected_for_a_transfer_the_simulator_finalized_is_a_false_rejected_and_unexpected() {
    var audit = auditOfT1(Kind.ACTIVE, "REJECTED", Map.of("t1", finalized("t1", "ACTIVE", 1)));

    assertThat(audit.violations.get(Violation.FALSE_REJECTED)).hasSize(1);
    assertThat(audit.violations.get(Violation.UNEXPECTED_STATE)).hasSize(1);
  }

  @Test
  void abandoned_is_never_an_expected_state() {
    var audit = auditOfT1(Kind.FILE_NOT_UPLOADED, "ABANDONED", Map.of());

    assertThat(audit.violations.get(Violation.UNEXPECTED_STATE)).hasSize(1);
  }

  @Test
  void an_outcome_unknown_instead_of_rejected_is_allowed_only_when_nothing_was_finalized() {
    var allowed = accepted(Kind.UNVERIFIED_SENDER, "t1", T0);
    var notAllowed = accepted(Kind.UNVERIFIED_SENDER, "t2", T0);
    var otherCode = accepted(Kind.UNVERIFIED_SENDER, "t3", T0);
    var audit =
        Audit.of(
            List.of(allowed, notAllowed, otherCode),
            List.of(
                new Event("default", "t1", "ABANDONED", "a", "FINALIZE_OUTCOME_UNKNOWN", 0, 1, T0),
                new Event("default", "t2", "ABANDONED", "b", "FINALIZE_OUTCOME_UNKNOWN", 0, 2, T0),
                new Event("default", "t3", "ABANDONED", "c", "RETRY_BUDGET_SPENT", 0, 3, T0)),
            Map.of("t1", new Record("t1", null, 1, 3, 0, "{}"), "t2", finalized("t2", "ACTIVE", 1)),
            T0);

    assertThat(audit.uncertain).isEqualTo(1);
    assertThat(audit.violations.get(Violation.UNEXPECTED_STATE))
        .extracting(Object::toString)
        .hasSize(2)
        .noneMatch(v -> v.contains("/t1 "));
  }

  @Test
  void a_second_effective_finalize_is_a_violation_and_a_refused_one_is_not() {
    var audit =
        Audit.of(
            List.of(accepted(Kind.ACTIVE, "t1", T0), accepted(Kind.FILE_NOT_UPLOADED, "t2", T0)),
            List.of(event("t1", "ACTIVE", T0), event("t2", "REJECTED", T0)),
            Map.of("t1", finalized("t1", "ACTIVE", 2), "t2", new Record("t2", null, 3, 0, 0, null)),
            T0);

    assertThat(audit.violations.get(Violation.EFFECTIVE_FINALIZES))
        .singleElement()
        .asString()
        .contains("t1");
    assertThat(audit.violationCount()).isEqualTo(1);
  }

  @Test
  void without_effective_finalizes_from_the_simulator_the_audit_says_so_instead_of_guessing() {
    var audit =
        auditOfT1(
            Kind.ACTIVE, "ACTIVE", Map.of("t1", new Record("t1", "ACTIVE", 1, 1, null, null)));

    assertThat(audit.effectiveFinalizesAvailable).isFalse();
    assertThat(audit.violationCount()).isZero();
  }

  @Test
  void a_transfer_never_accepted_and_an_event_for_a_transfer_never_sent_are_violations() {
    var neverAccepted = new Transfer(1, Kind.ACTIVE, "default", "a@example.com", "t1");
    var audit =
        Audit.of(
            List.of(neverAccepted), List.of(event("stranger", "ACTIVE", T0)), new HashMap<>(), T0);

    assertThat(audit.violations.get(Violation.NOT_ACCEPTED)).hasSize(1);
    assertThat(audit.violations.get(Violation.UNKNOWN_TRANSFER)).hasSize(1);
    assertThat(audit.violations.get(Violation.LOST)).isEmpty();
  }

  @Test
  void percentiles_are_nearest_rank() {
    var values = new java.util.ArrayList<Duration>();
    for (int i = 1; i <= 100; i++) {
      values.add(Duration.ofSeconds(i));
    }
    assertThat(Audit.percentiles(values))
        .containsEntry("p50", Duration.ofSeconds(50))
        .containsEntry("p99", Duration.ofSeconds(99))
        .containsEntry("max", Duration.ofSeconds(100));
  }

  /** The audit of t1, accepted at T0 as of the kind, with one event of the state at T0. */
  private Audit auditOfT1(Kind kind, String state, Map<String, Record> simulatorRecords) {
    return Audit.of(
        List.of(accepted(kind, "t1", T0)), List.of(event("t1", state, T0)), simulatorRecords, T0);
  }

  private static Transfer accepted(Kind kind, String trackingId, Instant at) {
    var t = new Transfer(0, kind, "default", "a@example.com", trackingId);
    t.acceptedAt = at;
    return t;
  }

  private Event event(String trackingId, String state, Instant at) {
    return new Event("default", trackingId, state, "id-" + offset, null, 0, offset++, at);
  }

  private static Record finalized(String trackingId, String state, int effective) {
    return new Record(trackingId, state, effective, 1, effective, "{}");
  }
}

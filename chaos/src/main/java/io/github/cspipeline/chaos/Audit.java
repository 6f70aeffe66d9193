package io.github.cspipeline.chaos;

import io.github.cspipeline.chaos.Events.Event;
import io.github.cspipeline.chaos.Load.Kind;
import io.github.cspipeline.chaos.Load.Transfer;
import io.github.cspipeline.chaos.Simulator.Record;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Checks the guarantee against what really happened: the committed events and the simulator's
 * record of each transfer. Pure: everything it judges is handed in, so it can be tested without
 * processes.
 */
final class Audit {

  /** The classes of violation, in the order they are printed. */
  enum Violation {
    LOST("accepted, no terminal event"),
    DUPLICATE("more than one terminal event"),
    CONFLICTING("terminal events with different states"),
    UNEXPECTED_STATE("terminal state not the one its kind must end in"),
    FALSE_REJECTED("REJECTED, but the simulator finalized it"),
    EFFECTIVE_FINALIZES("effective finalizes not 1 (ACTIVE/FAILED) or 0 (REJECTED kinds)"),
    NOT_ACCEPTED("never answered 202 although every request was valid"),
    UNKNOWN_TRANSFER("terminal event for a transfer the suite never sent"),
    SLOW_RECOVERY(
        "terminal event more than 60 s (plus the simulator's 1 s processing) after the last fault"
            + " ended (issue 9 item m)");

    final String meaning;

    Violation(String meaning) {
      this.meaning = meaning;
    }
  }

  static final int EXAMPLES = 10;

  /** 60 s after the last fault, plus the simulator's processing time of 1 s and a poll. */
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(62);

  final Map<Violation, List<String>> violations = new EnumMap<>(Violation.class);
  final Map<Kind, Map<String, Integer>> outcomes = new EnumMap<>(Kind.class);
  final Map<Kind, Integer> submitted = new EnumMap<>(Kind.class);
  final List<Duration> fromAcceptance = new ArrayList<>();
  final List<Duration> afterLastFault = new ArrayList<>();
  boolean effectiveFinalizesAvailable = true;
  int uncertain;
  int terminalEvents;
  int allEvents;

  /**
   * @param simulator per tracking id; a missing entry means the simulator never heard of it
   * @param lastFaultEnd when the last fault (simulator fault or killed process) was over
   */
  static Audit of(
      List<Transfer> transfers,
      List<Event> events,
      Map<String, Record> simulator,
      Instant lastFaultEnd) {
    var audit = new Audit();
    for (var v : Violation.values()) {
      audit.violations.put(v, new ArrayList<>());
    }
    audit.allEvents = events.size();
    var byKey = new HashMap<String, List<Event>>();
    for (var event : events) {
      if (event.terminal()) {
        audit.terminalEvents++;
        byKey.computeIfAbsent(event.key(), k -> new ArrayList<>()).add(event);
      }
    }
    var known = new HashMap<String, Transfer>();
    for (var t : transfers) {
      known.put(t.key(), t);
      audit.submitted.merge(t.kind, 1, Integer::sum);
      var row = audit.outcomes.computeIfAbsent(t.kind, k -> new TreeMap<>());
      var accepted = t.acceptedAt;
      if (accepted == null) {
        row.merge("not accepted", 1, Integer::sum);
        audit.add(
            Violation.NOT_ACCEPTED,
            t,
            t.requests.get()
                + " requests, last refusal: "
                + (t.refusal == null ? "none (503/429/no answer until the end)" : t.refusal));
        continue;
      }
      var terminal = byKey.getOrDefault(t.key(), List.of());
      var sim = simulator.get(t.trackingId);
      var simText = sim == null ? "simulator: never seen" : "simulator: " + sim;
      if (terminal.isEmpty()) {
        row.merge("none", 1, Integer::sum);
        audit.add(Violation.LOST, t, simText);
      } else {
        row.merge(terminal.get(0).state(), 1, Integer::sum);
        if (terminal.size() > 1) {
          row.merge("(duplicates)", 1, Integer::sum);
          audit.add(Violation.DUPLICATE, t, terminal + "; " + simText);
        }
        if (terminal.stream().map(Event::state).distinct().count() > 1) {
          audit.add(Violation.CONFLICTING, t, terminal + "; " + simText);
        }
        if (uncertainInsteadOfRejected(t, terminal.get(0), sim)) {
          // The worker could not tell whether an earlier owner's finalize took effect (a resumed
          // transfer of an unverified sender cannot read its status) and must not claim REJECTED
          // (ADR 023); the simulator confirms nothing was finalized.
          audit.uncertain++;
        } else if (!terminal.get(0).state().equals(t.kind.expected)) {
          audit.add(
              Violation.UNEXPECTED_STATE,
              t,
              "expected " + t.kind.expected + ", got " + terminal + "; " + simText);
        }
        if (terminal.stream().anyMatch(e -> e.state().equals("REJECTED"))
            && sim != null
            && sim.state() != null) {
          audit.add(Violation.FALSE_REJECTED, t, terminal + "; " + simText);
        }
        var first = terminal.get(0).timestamp();
        audit.fromAcceptance.add(nonNegative(Duration.between(accepted, first)));
        if (accepted.isBefore(lastFaultEnd)) {
          var afterFault = nonNegative(Duration.between(lastFaultEnd, first));
          audit.afterLastFault.add(afterFault);
          // An outcome the worker could not tell ends when its retry budget does, by design.
          if (afterFault.compareTo(RECOVERY_BOUND) > 0
              && !uncertainInsteadOfRejected(t, terminal.get(0), sim)) {
            audit.add(
                Violation.SLOW_RECOVERY,
                t,
                afterFault.toSeconds() + " s after the last fault: " + terminal);
          }
        }
      }
      if (sim == null || sim.effectiveFinalizes() == null) {
        if (sim != null) {
          audit.effectiveFinalizesAvailable = false;
        }
        if (sim == null && t.kind.finalizes()) {
          audit.add(Violation.EFFECTIVE_FINALIZES, t, "expected 1, the simulator never saw it");
        }
      } else {
        int expected = t.kind.finalizes() ? 1 : 0;
        if (sim.effectiveFinalizes() != expected) {
          audit.add(
              Violation.EFFECTIVE_FINALIZES,
              t,
              "expected " + expected + ", " + simText + "; events " + terminal);
        }
      }
    }
    byKey.forEach(
        (key, list) -> {
          if (!known.containsKey(key)) {
            audit.violations.get(Violation.UNKNOWN_TRANSFER).add(key + " " + list);
          }
        });
    return audit;
  }

  private void add(Violation violation, Transfer t, String detail) {
    violations
        .get(violation)
        .add(t.kind + " " + t.server + "/" + t.trackingId + " sender=" + t.sender + ": " + detail);
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  int violationCount() {
    return violations.values().stream().mapToInt(List::size).sum();
  }

  void print(
      PrintStream out,
      Map<String, Long> answers,
      int repeats,
      Map<String, Integer> kills,
      @Nullable String simulatorStats) {
    out.println();
    out.println("=== Chaos suite: audit ===");
    out.printf("gateway answers (all requests, %d of them repeats): %s%n", repeats, answers);
    out.printf("503 at the gateway: %d (sent again later)%n", answers.getOrDefault("503", 0L));
    out.printf("kills (kill -9, then restart): %s%n", kills);
    out.printf(
        "events read (read_committed, from the beginning): %d, terminal: %d%n",
        allEvents, terminalEvents);
    out.println();
    var columns =
        List.of(
            "ACTIVE",
            "FAILED",
            "DELETED",
            "REJECTED",
            "ABANDONED",
            "none",
            "not accepted",
            "(duplicates)");
    out.printf("%-18s %-9s %9s", "kind", "expected", "submitted");
    columns.forEach(c -> out.printf(" %12s", c));
    out.println();
    for (var kind : Kind.values()) {
      var row = outcomes.getOrDefault(kind, Map.of());
      out.printf("%-18s %-9s %9d", kind, kind.expected, submitted.getOrDefault(kind, 0));
      columns.forEach(c -> out.printf(" %12d", row.getOrDefault(c, 0)));
      out.println();
    }
    out.println();
    out.printf("%-20s %6s  %s%n", "violation", "count", "meaning");
    violations.forEach(
        (v, list) -> {
          var note =
              v == Violation.EFFECTIVE_FINALIZES && !effectiveFinalizesAvailable
                  ? " [effectiveFinalizes not available from this simulator: only 'never seen' checked]"
                  : "";
          out.printf("%-20s %6d  %s%s%n", v, list.size(), v.meaning, note);
        });
    violations.forEach(
        (v, list) -> {
          if (!list.isEmpty()) {
            out.println("--- " + v + " (first " + Math.min(EXAMPLES, list.size()) + ")");
            list.stream().limit(EXAMPLES).forEach(e -> out.println("  " + e));
          }
        });
    out.printf(
        "ABANDONED (FINALIZE_OUTCOME_UNKNOWN) instead of REJECTED, nothing finalized (allowed: a"
            + " resumed transfer whose status cannot be read is never claimed REJECTED): %d%n",
        uncertain);
    out.println();
    out.println("time to terminal event   count       p50       p99       max");
    printPercentiles(out, "from acceptance", fromAcceptance);
    printPercentiles(out, "after the last fault*", afterLastFault);
    out.println("  * transfers accepted before the last fault ended; 0 = terminal before it ended");

    if (simulatorStats != null) {
      out.println("simulator stats: " + simulatorStats);
    }
    out.println();
    out.println(
        violationCount() == 0
            ? "RESULT: no violations"
            : "RESULT: " + violationCount() + " violations");
  }

  static boolean uncertainInsteadOfRejected(
      Load.Transfer transfer, Events.Event first, Simulator.@Nullable Record sim) {
    return transfer.kind.expected.equals("REJECTED")
        && first.state().equals("ABANDONED")
        && "FINALIZE_OUTCOME_UNKNOWN".equals(first.errorCode())
        && (sim == null || Integer.valueOf(0).equals(sim.effectiveFinalizes()));
  }

  static Map<String, Duration> percentiles(List<Duration> values) {
    var sorted = values.stream().sorted().toList();
    var result = new LinkedHashMap<String, Duration>();
    if (sorted.isEmpty()) {
      return result;
    }
    result.put("p50", sorted.get(rank(sorted.size(), 0.50)));
    result.put("p99", sorted.get(rank(sorted.size(), 0.99)));
    result.put("max", sorted.get(sorted.size() - 1));
    return result;
  }

  private static int rank(int size, double p) {
    return Math.max(0, (int) Math.ceil(p * size) - 1);
  }

  private static void printPercentiles(PrintStream out, String label, List<Duration> values) {
    var p = percentiles(values);
    out.printf(
        "%-24s %6d %9s %9s %9s%n",
        label, values.size(), seconds(p.get("p50")), seconds(p.get("p99")), seconds(p.get("max")));
  }

  private static String seconds(@Nullable Duration d) {
    return d == null ? "-" : String.format("%.1fs", d.toMillis() / 1000.0);
  }
}

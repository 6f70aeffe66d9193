package io.github.cspipeline.chaos;

import io.github.cspipeline.chaos.Events.Event;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The benchmark's check of the guarantee: every transfer sent has exactly one terminal event (one
 * distinct {@code ce_id}), none is missing, and no terminal event belongs to a transfer the
 * benchmark never sent. The same event published again with the same {@code ce_id} is allowed by
 * the contract (consumers deduplicate on it) and only counted. Pure, so it is tested without
 * processes.
 *
 * @param states terminal state of each transfer (its first terminal event), counted
 * @param republished transfers whose terminal event appears more than once with one {@code ce_id}
 */
record BenchmarkAudit(
    int terminalEvents,
    Map<String, Integer> states,
    List<String> missing,
    List<String> duplicated,
    List<String> unknown,
    int republished) {

  static BenchmarkAudit of(Collection<String> sent, List<Event> events) {
    var ids = new HashMap<String, Set<String>>();
    var records = new HashMap<String, Integer>();
    var states = new TreeMap<String, Integer>();
    int terminalEvents = 0;
    for (var event : events) {
      if (!event.terminal()) {
        continue;
      }
      terminalEvents++;
      records.merge(event.key(), 1, Integer::sum);
      var eventIds = ids.computeIfAbsent(event.key(), k -> new LinkedHashSet<>());
      if (eventIds.isEmpty()) {
        states.merge(event.state(), 1, Integer::sum);
      }
      eventIds.add(event.eventId());
    }
    var sentSet = Set.copyOf(sent);
    var missing = new ArrayList<String>();
    for (var key : sent) {
      if (!ids.containsKey(key)) {
        missing.add(key);
      }
    }
    var duplicated = new ArrayList<String>();
    var unknown = new ArrayList<String>();
    int republished = 0;
    for (var entry : ids.entrySet()) {
      if (!sentSet.contains(entry.getKey())) {
        unknown.add(entry.getKey());
      }
      if (entry.getValue().size() > 1) {
        duplicated.add(entry.getKey() + " " + entry.getValue());
      } else if (records.get(entry.getKey()) > 1) {
        republished++;
      }
    }
    return new BenchmarkAudit(
        terminalEvents, states, sorted(missing), sorted(duplicated), sorted(unknown), republished);
  }

  int violations() {
    return missing.size() + duplicated.size() + unknown.size();
  }

  private static List<String> sorted(List<String> keys) {
    return keys.stream().sorted().toList();
  }
}

package io.github.cspipeline.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chaos suite's Cryptshare faults, in fractions of the load's duration L: 10 % 503 and 5 % lost
 * answers throughout; 429 bursts (rate limit 15/s, Retry-After 2 s) from 0.15 L and from 0.75 L,
 * each for max(3 s, 0.08 L); one outage of {@code outage} from 0.40 L; all off at L (or when the
 * outage ends, if later).
 */
record FaultSchedule(Simulator simulator, Duration outage, RunLog log) {

  /**
   * Runs the schedule for a load from {@code start} to {@code end}.
   *
   * @return when the faults were switched off
   */
  Instant run(Instant start, Instant end) throws Exception {
    long loadMs = Duration.between(start, end).toMillis();
    var burst = Duration.ofMillis(Math.max(3000, loadMs * 8 / 100));
    var outageStart = start.plusMillis(loadMs * 40 / 100);
    var outageEnd = outageStart.plus(outage);
    var steps = new ArrayList<Map.Entry<Instant, Map<String, Object>>>();
    steps.add(
        Map.entry(start, Map.of("errorRate", 0.10, "errorStatus", 503, "lostResponseRate", 0.05)));
    for (var at :
        List.of(start.plusMillis(loadMs * 15 / 100), start.plusMillis(loadMs * 75 / 100))) {
      steps.add(Map.entry(at, Map.of("rateLimitPerSecond", 15, "retryAfterSeconds", 2)));
      steps.add(Map.entry(at.plus(burst), Map.of("rateLimitPerSecond", 0)));
    }
    steps.add(Map.entry(outageStart, Map.of("outage", true)));
    steps.add(Map.entry(outageEnd, Map.of("outage", false)));
    steps.sort(Map.Entry.comparingByKey());
    for (var step : steps) {
      sleepUntil(step.getKey());
      simulator.faults(step.getValue());
      log.log("faults: %s", step.getValue());
    }
    sleepUntil(end.isAfter(outageEnd) ? end : outageEnd);
    simulator.noFaults();
    log.log("faults: all off");
    return Instant.now();
  }

  static void sleepUntil(Instant at) throws InterruptedException {
    long ms = Duration.between(Instant.now(), at).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }
}

package io.github.cspipeline.chaos;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The chaos suite's kills: every {@code killEvery}, {@code kill -9} of the next type of {@code
 * settings.kills()} (the instance drawn with the seed), restarted after {@code restartDelay}; one
 * process down at a time.
 */
final class Killer {

  private final Settings settings;
  private final Services services;
  private final RunLog log;
  private final Map<String, Integer> kills = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> lastRecovery = new AtomicReference<>(Instant.EPOCH);

  Killer(Settings settings, Services services, RunLog log) {
    this.settings = settings;
    this.services = services;
    this.log = log;
  }

  /** Kills from {@code start} until {@code end}; returns when the last victim was restarted. */
  Void run(Instant start, Instant end) throws Exception {
    var random = new Random(settings.seed() * 31 + 7);
    var restarts = Executors.newVirtualThreadPerTaskExecutor();
    var oneAtATime = new Semaphore(1);
    int round = 0;
    for (var at = start.plus(settings.killEvery());
        at.isBefore(end);
        at = at.plus(settings.killEvery())) {
      FaultSchedule.sleepUntil(at);
      var type = settings.kills().get(round++ % settings.kills().size());
      var candidates = services.ofType(type);
      var victim = candidates.get(random.nextInt(candidates.size()));
      oneAtATime.acquire();
      log.log("kill -9 %s", victim);
      victim.kill();
      kills.merge(type, 1, Integer::sum);
      restarts.execute(
          () -> {
            try {
              restart(victim);
            } finally {
              oneAtATime.release();
            }
          });
    }
    // The last restart must be over before the suite waits for the transfers.
    oneAtATime.acquire();
    restarts.shutdown();
    return null;
  }

  private void restart(Services.Service victim) {
    try {
      Thread.sleep(settings.restartDelay().toMillis());
      victim.start();
      log.log("restarted %s", victim);
      if (victim.awaitHealthy(Duration.ofSeconds(180))) {
        lastRecovery.set(Instant.now());
        log.log("%s is up again", victim);
      } else {
        log.log("%s did NOT come up again; see its log", victim);
      }
    } catch (IOException e) {
      log.log("restarting %s failed: %s", victim, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills per process type so far. */
  Map<String, Integer> kills() {
    return new LinkedHashMap<>(kills);
  }

  /** When the last killed process was healthy again (the epoch when none was). */
  Instant lastRecovery() {
    return lastRecovery.get();
  }
}

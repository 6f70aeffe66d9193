package io.github.cspipeline.simulator.fault;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/simulator/faults")
public class FaultController {

  /** The JSON shape of the fault settings; durations as ISO 8601 strings. */
  public record View(
      double errorRate,
      int errorStatus,
      String latency,
      double lostResponseRate,
      int rateLimitPerSecond,
      int retryAfterSeconds,
      boolean outage) {

    static View of(FaultSettings settings) {
      return new View(
          settings.errorRate(),
          settings.errorStatus(),
          settings.latency().toString(),
          settings.lostResponseRate(),
          settings.rateLimitPerSecond(),
          settings.retryAfterSeconds(),
          settings.outage());
    }
  }

  private final FaultInjector faults;

  public FaultController(FaultInjector faults) {
    this.faults = faults;
  }

  @GetMapping
  public View get() {
    return View.of(faults.current());
  }

  @PutMapping
  public View put(@RequestBody FaultSettings.Update update) {
    try {
      return View.of(faults.update(update));
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage(), e);
    } catch (UnsupportedOperationException e) {
      throw new ResponseStatusException(HttpStatus.NOT_IMPLEMENTED, e.getMessage(), e);
    }
  }

  @DeleteMapping
  public ResponseEntity<Void> clear() {
    faults.clear();
    return ResponseEntity.noContent().build();
  }
}

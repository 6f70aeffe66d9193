package io.github.cspipeline.simulator.stats;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/simulator/stats")
public class StatsController {

  private final RequestStats stats;

  public StatsController(RequestStats stats) {
    this.stats = stats;
  }

  @GetMapping
  public RequestStats.Snapshot get() {
    return stats.snapshot();
  }

  @DeleteMapping
  public ResponseEntity<Void> reset() {
    stats.reset();
    return ResponseEntity.noContent().build();
  }
}

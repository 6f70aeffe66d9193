package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.statusUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.event.TransferEvent;
import org.junit.jupiter.api.Test;

class DecidedEventsTest {

  static TransferEvent processing(String trackingId) {
    return TransferEvent.processing(SERVER, SENDER, trackingId, NOW, statusUrl(SENDER, trackingId));
  }

  @Test
  void a_decided_event_is_found_by_server_and_tracking_id() {
    var decided = new DecidedEvents(10);
    var event = processing("T1");

    decided.put(event);

    assertThat(decided.get(SERVER, "T1")).isEqualTo(event);
    assertThat(decided.get("other", "T1")).isNull();
    assertThat(decided.get(SERVER, "T2")).isNull();
  }

  @Test
  void the_least_recently_used_event_is_forgotten_beyond_the_capacity() {
    var decided = new DecidedEvents(2);
    decided.put(processing("T1"));
    decided.put(processing("T2"));
    decided.get(SERVER, "T1");

    decided.put(processing("T3"));

    assertThat(decided.get(SERVER, "T1")).isNotNull();
    assertThat(decided.get(SERVER, "T2")).isNull();
    assertThat(decided.get(SERVER, "T3")).isNotNull();
  }
}

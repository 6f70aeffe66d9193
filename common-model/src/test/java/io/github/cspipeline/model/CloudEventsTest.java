package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CloudEventsTest {

  @Test
  void sets_binary_mode_headers_and_keys_by_tracking_id() {
    var id = UUID.randomUUID();

    var record =
        CloudEvents.record(
            Topics.TRANSFER_EVENTS,
            "t-1",
            "value",
            id,
            "type.v1",
            "/cryptshare-pipeline/test",
            Instant.parse("2026-11-26T10:15:00Z"));

    assertThat(record.key()).isEqualTo("t-1");
    assertThat(header(record.headers(), CloudEvents.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(record.headers(), CloudEvents.ID)).isEqualTo(id.toString());
    assertThat(header(record.headers(), CloudEvents.TYPE)).isEqualTo("type.v1");
    assertThat(header(record.headers(), CloudEvents.SOURCE)).isEqualTo("/cryptshare-pipeline/test");
    assertThat(header(record.headers(), CloudEvents.TIME)).isEqualTo("2026-11-26T10:15:00Z");
  }

  private static String header(org.apache.kafka.common.header.Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}

package io.github.cspipeline.deadletters;

import static io.github.cspipeline.deadletters.Fixtures.AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class ReplaysTest {

  private final DeadLetter letter =
      Fixtures.workerDeadLetter(7, "20261202-100000-AbCdEfGh", "could not be taken in", AT);

  @Test
  void a_replay_carries_key_value_cloud_events_and_trace_and_says_where_it_came_from() {
    var record = Replays.replayOf(letter, "cryptshare.finalize.commands", 2);

    assertThat(record.topic()).isEqualTo("cryptshare.finalize.commands");
    assertThat(record.partition()).isEqualTo(2);
    assertThat(record.key()).isEqualTo(letter.key());
    assertThat(record.value()).isEqualTo(letter.value());
    assertThat(record.timestamp()).as("a replay is new: retention counts from now").isNull();
    assertThat(Arrays.stream(record.headers().toArray()).map(Header::key))
        .containsExactly("ce_id", "ce_type", "traceparent", Replays.REPLAYED_FROM);
    assertThat(text(record.headers().lastHeader("traceparent"))).isEqualTo(Fixtures.TRACEPARENT);
    assertThat(text(record.headers().lastHeader(Replays.REPLAYED_FROM)))
        .isEqualTo("cryptshare.transfer-worker.dlt/0/7");
  }

  @Test
  void a_replay_drops_every_dead_letter_header_and_an_earlier_replayed_from() {
    assertThat(Replays.carriedOver("kafka_dlt-original-topic")).isFalse();
    assertThat(Replays.carriedOver("kafka_dlt-exception-stacktrace")).isFalse();
    assertThat(Replays.carriedOver("kafka_dlt-original-consumer-group")).isFalse();
    assertThat(Replays.carriedOver("cryptshare_dlt-reason")).isFalse();
    assertThat(Replays.carriedOver(Replays.REPLAYED_FROM)).isFalse();
    assertThat(Replays.carriedOver("ce_transferstate")).isTrue();
    assertThat(Replays.carriedOver("traceparent")).isTrue();
    assertThat(Replays.carriedOver("content-type")).isTrue();
  }

  @Test
  void a_marker_survives_the_topic() {
    var marker =
        new Replays.Marker(letter.id(), "cryptshare.finalize.commands", 2, 17, AT.plusSeconds(5));

    var record = Replays.markerRecord("replays", marker);

    assertThat(new String(record.key(), StandardCharsets.UTF_8))
        .isEqualTo("cryptshare.transfer-worker.dlt/0/7");
    assertThat(Replays.markerOf(record.value())).isEqualTo(marker);
    assertThat(marker.target()).isEqualTo("cryptshare.finalize.commands-2@17");
  }

  private static String text(Header header) {
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}

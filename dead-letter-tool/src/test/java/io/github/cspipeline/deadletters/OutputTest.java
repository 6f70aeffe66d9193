package io.github.cspipeline.deadletters;

import static io.github.cspipeline.deadletters.Fixtures.AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputTest {

  private final DeadLetter letter =
      Fixtures.workerDeadLetter(7, "20261202-100000-AbCdEfGh", "could not be taken in", AT);

  @Test
  void details_redact_the_credential_and_decode_spring_kafkas_binary_headers() {
    var details = String.join("\n", Output.details(letter, null, false));

    assertThat(details)
        .contains("\"credential\" : \"<redacted>\"")
        .doesNotContain("e2e.AAAA.BBBB")
        .contains("\"trackingId\" : \"20261202-100000-AbCdEfGh\"")
        .contains("from              cryptshare.finalize.commands-2@41 (2026-12-02T09:59:59Z)")
        .contains("reason            could not be taken in")
        .contains("replayed          no")
        .containsPattern("kafka_dlt-original-partition +2\n")
        .containsPattern("kafka_dlt-original-offset +41\n")
        .contains("(2 lines; --stacktrace prints them)");
    assertThat(String.join("\n", Output.details(letter, null, true)))
        .contains("      java.lang.IllegalStateException\n      \tat x");
  }

  @Test
  void headers_that_look_secret_are_redacted() {
    assertThat(Output.headerValue("Authorization", "Bearer x".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Output.REDACTED);
    assertThat(Output.headerValue("x-api-key", "k".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Output.REDACTED);
    assertThat(Output.headerValue("ce_id", "abc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("abc");
  }

  @Test
  void values_that_are_not_json_are_shown_as_text_or_counted() {
    assertThat(Output.value("not json {".getBytes(StandardCharsets.UTF_8))).isEqualTo("not json {");
    assertThat(Output.value(new byte[] {(byte) 0xff, (byte) 0xfe}))
        .isEqualTo("(2 bytes, not UTF-8 text)");
    assertThat(Output.value(null)).isEqualTo("(null)");
  }

  @Test
  void the_table_has_one_aligned_row_per_dead_letter_and_shows_replays() {
    var marker =
        new Replays.Marker(letter.id(), "cryptshare.finalize.commands", 2, 17, AT.plusSeconds(5));

    var table = Output.table(java.util.List.of(letter), Map.of(letter.id(), marker));

    assertThat(table).hasSize(2);
    assertThat(table.get(0)).startsWith("DEAD LETTER").endsWith("REPLAYED");
    assertThat(table.get(1))
        .startsWith("cryptshare.transfer-worker.dlt-0@7")
        .contains("20261202-100000-AbCdEfGh")
        .contains("cryptshare.finalize.commands")
        .contains("could not be taken in")
        .endsWith("2026-12-02T10:00:05Z");
    assertThat(table.get(1).indexOf("2026-12-02T10:00:00Z"))
        .isEqualTo(table.get(0).indexOf("DEAD-LETTERED AT"));
  }
}

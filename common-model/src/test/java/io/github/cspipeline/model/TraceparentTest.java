package io.github.cspipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TraceparentTest {

  static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void reads_the_four_fields_of_a_valid_value() {
    var parsed = Traceparent.parse(VALID).orElseThrow();

    assertThat(parsed.version()).isEqualTo("00");
    assertThat(parsed.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(parsed.parentId()).isEqualTo("00f067aa0ba902b7");
    assertThat(parsed.flags()).isEqualTo("01");
    assertThat(parsed.sampled()).isTrue();
    assertThat(parsed).hasToString(VALID);
  }

  @Test
  void the_sampled_flag_is_bit_zero() {
    assertThat(Traceparent.parse(VALID.replace("-01", "-00")).orElseThrow().sampled()).isFalse();
    assertThat(Traceparent.parse(VALID.replace("-01", "-03")).orElseThrow().sampled()).isTrue();
  }

  @Test
  void refuses_what_the_specification_calls_invalid() {
    assertThat(Traceparent.parse(null)).isEmpty();
    assertThat(Traceparent.parse("")).isEmpty();
    assertThat(Traceparent.parse("garbage")).isEmpty();
    assertThat(Traceparent.parse(VALID.toUpperCase())).as("upper case").isEmpty();
    assertThat(Traceparent.parse("ff" + VALID.substring(2))).as("version ff").isEmpty();
    assertThat(Traceparent.parse(VALID + "-extra")).as("version 00 has four fields").isEmpty();
    assertThat(Traceparent.parse("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"))
        .as("zero trace id")
        .isEmpty();
    assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0".repeat(16) + "-01"))
        .as("zero parent id")
        .isEmpty();
  }

  @Test
  void a_later_version_may_carry_more_fields() {
    var later = Traceparent.parse("01" + VALID.substring(2) + "-what-comes-next").orElseThrow();

    assertThat(later.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void reads_the_last_header_of_a_record() {
    var headers = new RecordHeaders();
    assertThat(Traceparent.of(headers)).isEmpty();

    headers.add(Traceparent.HEADER, "garbage".getBytes(StandardCharsets.UTF_8));
    headers.add(Traceparent.HEADER, VALID.getBytes(StandardCharsets.UTF_8));

    assertThat(Traceparent.of(headers)).map(Traceparent::toString).hasValue(VALID);
  }
}

package io.github.cspipeline.poller.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PollTracingTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT = "b7ad6b7169203331";

  @Test
  void reads_the_sampled_flag_from_the_last_digit_of_a_version_00_context() {
    assertThat(PollTracing.unsampled("00-" + TRACE + "-" + PARENT + "-00")).isTrue();
    assertThat(PollTracing.unsampled("00-" + TRACE + "-" + PARENT + "-02")).isTrue();
    assertThat(PollTracing.unsampled("00-" + TRACE + "-" + PARENT + "-01")).isFalse();
    assertThat(PollTracing.unsampled("00-" + TRACE + "-" + PARENT + "-03")).isFalse();
  }

  @Test
  void counts_anything_else_as_possibly_sampled() {
    assertThat(PollTracing.unsampled(null)).isFalse();
    assertThat(PollTracing.unsampled("")).isFalse();
    assertThat(PollTracing.unsampled("01-" + TRACE + "-" + PARENT + "-00")).isFalse();
    assertThat(PollTracing.unsampled("00-" + TRACE + "-" + PARENT + "-0x")).isFalse();
    assertThat(PollTracing.unsampled("00-" + TRACE + "-" + PARENT + "-00-extra")).isFalse();
  }
}

package io.github.cspipeline.poller.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceparentTest {

  private static final String FORMAT = "00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}";

  @Test
  void continues_the_trace_of_a_valid_parent_with_a_new_span() {
    var parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    var child = Traceparent.childOf(parent);

    assertThat(child)
        .matches(FORMAT)
        .startsWith("00-0af7651916cd43dd8448eb211c80319c-")
        .endsWith("-01");
    assertThat(child).isNotEqualTo(parent);
  }

  @Test
  void starts_a_new_trace_without_a_valid_parent() {
    assertThat(Traceparent.childOf(null)).matches(FORMAT);
    assertThat(Traceparent.childOf("garbage")).matches(FORMAT);
    assertThat(Traceparent.childOf("00-" + "0".repeat(32) + "-b7ad6b7169203331-01"))
        .matches(FORMAT)
        .doesNotContain("0".repeat(32));
  }
}

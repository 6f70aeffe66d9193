package io.github.cspipeline.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaOptionsTest {

  private final KafkaOptions options = new KafkaOptions();

  @Test
  void without_topics_the_known_dead_letter_topics_that_exist_are_read() {
    assertThat(options.candidates()).isEqualTo(DeadLetterTool.KNOWN_DEAD_LETTER_TOPICS);
    assertThat(
            options.topicsToRead(
                Map.of("cryptshare.status-poller.dlt", 1, "cryptshare.finalize.commands", 6)))
        .containsExactly("cryptshare.status-poller.dlt");
  }

  @Test
  void named_topics_must_exist() {
    options.topics = List.of("a.dlt", "b.dlt", "a.dlt");

    assertThat(options.topicsToRead(Map.of("a.dlt", 1, "b.dlt", 3)))
        .containsExactly("a.dlt", "b.dlt");
    assertThatThrownBy(() -> options.topicsToRead(Map.of("a.dlt", 1)))
        .isInstanceOf(ToolException.class)
        .hasMessage("no such topic: b.dlt");
  }
}

package io.github.cspipeline.poller.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.MockAdminClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchTopicSetupTest {

  private static final String EVENTS = "events";
  private static final String WATCHES = "watches";
  private static final Node BROKER = new Node(0, "localhost", 9092);

  private final MockAdminClient admin = new MockAdminClient(List.of(BROKER), BROKER);

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void creates_the_watch_topic_with_the_partitions_of_the_events_topic_when_topic_creation_is_on()
      throws Exception {
    addTopic(EVENTS, 6);

    new WatchTopicSetup(admin, EVENTS, WATCHES, true).ensurePartition(0);

    assertThat(partitionsOf(WATCHES)).isEqualTo(6);
  }

  @Test
  void creates_nothing_and_says_what_is_missing_when_topic_creation_is_off() throws Exception {
    addTopic(EVENTS, 6);
    var setup = new WatchTopicSetup(admin, EVENTS, WATCHES, false);

    assertThatThrownBy(() -> setup.ensurePartition(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("watch topic watches has 0 partitions, events needs 6")
        .hasMessageContaining("spring.kafka.admin.auto-create=false");
    assertThat(admin.listTopics().names().get()).doesNotContain(WATCHES);
  }

  @Test
  void neither_grows_a_watch_topic_with_too_few_partitions_when_topic_creation_is_off()
      throws Exception {
    addTopic(EVENTS, 6);
    addTopic(WATCHES, 3);
    var setup = new WatchTopicSetup(admin, EVENTS, WATCHES, false);

    assertThatThrownBy(() -> setup.ensurePartition(4)).isInstanceOf(IllegalStateException.class);
    assertThat(partitionsOf(WATCHES)).isEqualTo(3);
  }

  @Test
  void uses_a_watch_topic_the_platform_created_when_topic_creation_is_off() {
    addTopic(EVENTS, 6);
    addTopic(WATCHES, 6);

    new WatchTopicSetup(admin, EVENTS, WATCHES, false).ensurePartition(5);
  }

  private void addTopic(String name, int partitions) {
    var infos = new ArrayList<TopicPartitionInfo>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new TopicPartitionInfo(p, BROKER, List.of(BROKER), List.of(BROKER)));
    }
    admin.addTopic(false, name, infos, Map.of());
  }

  private int partitionsOf(String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get()
        .get(topic)
        .partitions()
        .size();
  }
}

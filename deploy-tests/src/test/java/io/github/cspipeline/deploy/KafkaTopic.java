package io.github.cspipeline.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;

/** Strimzi's {@code KafkaTopic} (kafka.strimzi.io/v1beta2), the fields the chart may use. */
record KafkaTopic(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(String topicName, int partitions, int replicas, Map<String, Object> config) {}

  /** The topic's name: {@code spec.topicName}, else the resource's name (Strimzi's rule). */
  String topicName() {
    return spec.topicName() != null ? spec.topicName() : metadata.getName();
  }

  String config(String key) {
    var value = spec.config() == null ? null : spec.config().get(key);
    return value == null ? null : value.toString();
  }
}

package io.github.cspipeline.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/** KEDA's {@code ScaledObject} (keda.sh/v1alpha1), the fields the chart may use. */
record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(
      Target scaleTargetRef,
      Integer minReplicaCount,
      Integer maxReplicaCount,
      List<Trigger> triggers) {}

  record Target(String name) {}

  record Trigger(String type, Map<String, String> metadata) {}
}

package io.github.cspipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chart in {@code deploy/helm/cryptshare-pipeline} rendered by Helm itself (helm-java runs
 * Helm's Go code), every document parsed into a Kubernetes model: fabric8's for the built-in kinds
 * and the Prometheus operator's, strict records for Strimzi's {@code KafkaTopic} and KEDA's {@code
 * ScaledObject}. A field no model knows fails the parse, so a typo cannot pass unnoticed.
 */
record RenderedChart(String variant, List<Object> resources) {

  static final Path CHART = Path.of("..", "deploy", "helm", "cryptshare-pipeline");

  private static final ObjectMapper MODELS =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Map<String, Class<?>> KINDS =
      Map.of(
          "apps/v1/Deployment", Deployment.class,
          "v1/Service", Service.class,
          "v1/ConfigMap", ConfigMap.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
          "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
          "kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class,
          "keda.sh/v1alpha1/ScaledObject", ScaledObject.class);

  /**
   * @param valuesFiles values files of the chart applied over its values.yaml, in order
   * @param sets {@code --set} values
   */
  static RenderedChart render(String variant, List<String> valuesFiles, Map<String, String> sets)
      throws Exception {
    var template = new Helm(CHART).template().withName("cp").withNamespace("cryptshare");
    for (var file : valuesFiles) {
      template = template.withValuesFile(CHART.resolve(file));
    }
    for (var set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    var resources = new ArrayList<Object>();
    try (var documents = new YAMLMapper().readerFor(JsonNode.class).readValues(template.call())) {
      while (documents.hasNext()) {
        JsonNode document = (JsonNode) documents.next();
        if (document == null || document.isNull() || document.isEmpty()) {
          continue;
        }
        var type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        assertThat(KINDS).as("a model for %s", type).containsKey(type);
        var resource = MODELS.treeToValue(document, KINDS.get(type));
        assertNoUnknownFields(resource, type);
        resources.add(resource);
      }
    }
    return new RenderedChart(variant, List.copyOf(resources));
  }

  <T> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T> T named(Class<T> type, String name) {
    return all(type).stream()
        .filter(r -> metadataOf(r).getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no %s %s".formatted(type.getSimpleName(), name)));
  }

  private static ObjectMeta metadataOf(Object resource) {
    return switch (resource) {
      case io.fabric8.kubernetes.api.model.HasMetadata m -> m.getMetadata();
      case KafkaTopic t -> t.metadata();
      case ScaledObject s -> s.metadata();
      default -> throw new IllegalArgumentException(resource.getClass().getName());
    };
  }

  /**
   * fabric8's models keep fields they do not know in {@code additionalProperties} instead of
   * failing; this walks the parsed object and fails on any.
   */
  static void assertNoUnknownFields(Object root, String where) {
    walk(root, where, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static void walk(Object node, String path, Set<Object> seen) {
    if (node == null || !seen.add(node)) {
      return;
    }
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (var item : list) {
        walk(item, path + "[" + i++ + "]", seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, seen));
      return;
    }
    var type = node.getClass();
    if (!type.getPackageName().startsWith("io.fabric8") && !type.isRecord()) {
      return;
    }
    for (Method getter : type.getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class
          || getter.getReturnType().isPrimitive()) {
        continue;
      }
      var name = getter.getName();
      boolean accessor =
          type.isRecord()
              ? java.util.Arrays.stream(type.getRecordComponents())
                  .anyMatch(c -> c.getName().equals(name))
              : name.startsWith("get");
      if (!accessor) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (name.equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
        assertThat(extra).as("fields no model knows at %s", path).isEmpty();
        continue;
      }
      walk(value, path + "." + name.replaceFirst("^get", ""), seen);
    }
  }

  @Override
  public String toString() {
    return variant;
  }
}

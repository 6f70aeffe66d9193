package io.github.cspipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.poller.config.PollerProperties;
import io.github.cspipeline.worker.config.WorkerProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.convert.DurationStyle;

/**
 * The Helm chart, rendered for development, for production, and for production with KEDA and
 * credential keys, checked against what the apps actually do: their coded defaults, their {@code
 * application.yml}, their properties records (ADR 026).
 */
class HelmChartTest {

  private static final List<String> APPS =
      List.of("api-gateway", "transfer-worker", "status-poller");

  /** Properties that hold secrets: they must come from a Secret, never from a ConfigMap. */
  private static final List<String> SECRET_PATTERNS =
      List.of(".client-id", ".sha256", "credential-keys.");

  @TempDir Path scratch;

  static Stream<RenderedChart> variants() throws Exception {
    return Stream.of(
        RenderedChart.render("dev", List.of(), Map.of()),
        RenderedChart.render("prod", List.of("values-prod.yaml"), Map.of()),
        RenderedChart.render(
            "prod with KEDA and credential keys",
            List.of("values-prod.yaml"),
            Map.of(
                "worker.keda.enabled", "true",
                "poller.keda.enabled", "true",
                "gateway.credentialKeys.k1", "credential-key-k1",
                "gateway.credentialKeyId", "k1",
                "worker.credentialKeys.k1", "credential-key-k1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void renders_a_deployment_service_pdb_and_service_monitor_for_each_app(RenderedChart chart) {
    for (var app : APPS) {
      deploymentOf(chart, app);
      assertThat(chart.all(Service.class))
          .anyMatch(s -> app.equals(nameLabel(s.getSpec().getSelector())));
      assertThat(chart.all(PodDisruptionBudget.class))
          .anyMatch(p -> app.equals(nameLabel(p.getSpec().getSelector().getMatchLabels())));
      assertThat(chart.all(ServiceMonitor.class))
          .anyMatch(m -> app.equals(nameLabel(m.getSpec().getSelector().getMatchLabels())));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void probes_ask_each_app_for_its_health_groups_on_its_management_port(RenderedChart chart)
      throws Exception {
    for (var deployment : chart.all(Deployment.class)) {
      var env = PodEnvironment.of(chart, deployment, scratch);
      var container = containerOf(deployment);
      var managementPort = Integer.parseInt(env.get("management.server.port"));
      var what = deployment.getMetadata().getName();

      assertThat(managementPort).as(what).isNotEqualTo(portOf(env.get("server.port")));
      assertThat(env.get("management.endpoint.health.probes.enabled")).as(what).isEqualTo("true");
      assertThat(env.get("management.endpoints.web.exposure.include"))
          .as(what)
          .contains("health", "prometheus");
      assertProbe(
          container, container.getStartupProbe(), "/actuator/health/liveness", managementPort);
      assertProbe(
          container, container.getLivenessProbe(), "/actuator/health/liveness", managementPort);
      assertProbe(
          container, container.getReadinessProbe(), "/actuator/health/readiness", managementPort);

      var service = serviceOf(chart, deployment);
      var monitor =
          chart.all(ServiceMonitor.class).stream()
              .filter(
                  m ->
                      m.getSpec()
                          .getSelector()
                          .getMatchLabels()
                          .equals(
                              service.getMetadata().getLabels().entrySet().stream()
                                  .filter(
                                      e ->
                                          deployment
                                              .getSpec()
                                              .getSelector()
                                              .getMatchLabels()
                                              .containsKey(e.getKey()))
                                  .collect(
                                      java.util.stream.Collectors.toMap(
                                          Map.Entry::getKey, Map.Entry::getValue))))
              .findFirst()
              .orElseThrow();
      var endpoint = monitor.getSpec().getEndpoints().getFirst();
      assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
      var servicePort =
          service.getSpec().getPorts().stream()
              .filter(p -> p.getName().equals(endpoint.getPort()))
              .findFirst()
              .orElseThrow();
      assertThat(resolve(container, servicePort.getTargetPort()))
          .as(what)
          .isEqualTo(managementPort);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void secrets_come_from_a_secret_as_configtree_files_and_never_from_a_config_map(
      RenderedChart chart) throws Exception {
    assertThat(chart.resources()).noneMatch(r -> r.getClass().getSimpleName().equals("Secret"));
    for (var configMap : chart.all(ConfigMap.class)) {
      for (var entry : configMap.getData().entrySet()) {
        for (var pattern : SECRET_PATTERNS) {
          assertThat(entry.getKey().toLowerCase())
              .as("%s in ConfigMap %s", entry.getKey(), configMap.getMetadata().getName())
              .doesNotContain(pattern.replace("-", ""))
              .doesNotContain(pattern);
        }
      }
    }
    for (var deployment : chart.all(Deployment.class)) {
      var container = containerOf(deployment);
      if (container.getEnv() != null) {
        assertThat(container.getEnv())
            .allMatch(e -> e.getValueFrom() != null || !isSecret(e.getName()));
      }
      var env = PodEnvironment.of(chart, deployment, scratch);
      var app = nameLabel(deployment.getSpec().getSelector().getMatchLabels());
      var expected = new ArrayList<String>();
      if (app.equals("api-gateway")) {
        var gateway = env.binder().bindOrCreate("cryptshare", GatewayProperties.class).gateway();
        assertThat(gateway.apiKeys()).as("API keys bound from the configtree").isNotEmpty();
        for (int i = 0; i < gateway.apiKeys().size(); i++) {
          assertThat(gateway.apiKeys().get(i).name()).isNotBlank();
          expected.add("cryptshare.gateway.api-keys[%d].sha256".formatted(i));
        }
        gateway
            .credentialKeys()
            .keySet()
            .forEach(k -> expected.add("cryptshare.gateway.credential-keys." + k));
      } else {
        var servers = env.binder().bindOrCreate("cryptshare.servers", java.util.Map.class).keySet();
        assertThat(servers).isNotEmpty();
        servers.forEach(s -> expected.add("cryptshare.servers." + s + ".client-id"));
        if (app.equals("transfer-worker")) {
          var worker =
              env.binder().bindOrCreate("cryptshare.worker", WorkerProperties.Worker.class);
          worker
              .credentialKeys()
              .keySet()
              .forEach(k -> expected.add("cryptshare.worker.credential-keys." + k));
        }
      }
      assertThat(env.secretProperties()).as(app).containsAll(expected);
      for (var property : expected) {
        assertThat(env.get(property)).as(property).isNotBlank();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void every_topic_the_services_use_has_a_kafka_topic_and_the_services_create_none(
      RenderedChart chart) throws Exception {
    var topics = new HashMap<String, KafkaTopic>();
    chart.all(KafkaTopic.class).forEach(t -> topics.put(t.topicName(), t));
    var used = new HashSet<String>();
    for (var deployment : chart.all(Deployment.class)) {
      var env = PodEnvironment.of(chart, deployment, scratch);
      used.addAll(topicNames(env));
      assertThat(env.get("spring.kafka.admin.auto-create"))
          .as("%s creates no topic beside the topic operator", deployment.getMetadata().getName())
          .isEqualTo("false");
    }
    assertThat(topics.keySet()).containsAll(used);
    assertThat(used).hasSize(7);

    var worker = PodEnvironment.of(chart, deploymentOf(chart, "transfer-worker"), scratch);
    var workerTopics =
        worker
            .binder()
            .bindOrCreate("cryptshare.worker.topics", WorkerProperties.TopicSettings.class);
    var state = topics.get(workerTopics.state());
    assertThat(state.spec().partitions())
        .as("the state topic's layout (ADR 024)")
        .isEqualTo(workerTopics.statePartitions());
    assertThat(state.config("cleanup.policy")).isEqualTo("compact,delete");
    var poller =
        PollerEnv.topics(PodEnvironment.of(chart, deploymentOf(chart, "status-poller"), scratch));
    assertThat(topics.get(poller.watches()).spec().partitions())
        .as("one watch partition per events partition (ADR 010)")
        .isEqualTo(topics.get(poller.events()).spec().partitions());
    assertThat(topics.get(poller.watches()).config("cleanup.policy")).isEqualTo("compact");
    var gateway = PodEnvironment.of(chart, deploymentOf(chart, "api-gateway"), scratch);
    var claims =
        gateway
            .binder()
            .bindOrCreate("cryptshare.gateway.topics", GatewayProperties.Topics.class)
            .claims();
    assertThat(topics.get(claims).config("message.timestamp.type")).isEqualTo("LogAppendTime");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void production_topics_have_three_replicas_and_two_in_sync(RenderedChart chart) {
    if (chart.variant().startsWith("prod")) {
      assertThat(chart.all(KafkaTopic.class))
          .isNotEmpty()
          .allSatisfy(
              t -> {
                assertThat(t.spec().replicas()).as(t.topicName()).isEqualTo(3);
                assertThat(t.config("min.insync.replicas")).as(t.topicName()).isEqualTo("2");
              });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void every_container_runs_as_a_numeric_non_root_user_on_a_read_only_root_with_bounded_resources(
      RenderedChart chart) throws Exception {
    for (var deployment : chart.all(Deployment.class)) {
      var pod = deployment.getSpec().getTemplate().getSpec();
      for (var container : pod.getContainers()) {
        var what = deployment.getMetadata().getName() + "/" + container.getName();
        var security = container.getSecurityContext();
        assertThat(security).as(what).isNotNull();
        assertThat(security.getRunAsNonRoot()).as(what).isTrue();
        assertThat(security.getRunAsUser()).as(what).isNotNull().isPositive();
        assertThat(security.getReadOnlyRootFilesystem()).as(what).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).as(what).isFalse();
        assertThat(security.getCapabilities().getDrop()).as(what).contains("ALL");
        assertThat(container.getResources().getRequests()).as(what).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).as(what).containsKeys("cpu", "memory");
        assertThat(mountPaths(container)).as(what + ": writable /tmp").contains("/tmp");
      }
      if (deployment.getMetadata().getName().endsWith("api-gateway")) {
        var env = PodEnvironment.of(chart, deployment, scratch);
        var stateDir = env.get("cryptshare.gateway.view.state-dir");
        assertThat(stateDir).as("the status view's store is on a volume").isNotBlank();
        assertThat(mountPaths(containerOf(deployment))).contains(stateDir);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void pod_disruption_budgets_services_and_spread_select_their_deployments_pods(
      RenderedChart chart) {
    for (var deployment : chart.all(Deployment.class)) {
      var selector = deployment.getSpec().getSelector().getMatchLabels();
      var podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
      assertThat(podLabels).containsAllEntriesOf(selector);
      var app = nameLabel(selector);
      var pdbs =
          chart.all(PodDisruptionBudget.class).stream()
              .filter(p -> app.equals(nameLabel(p.getSpec().getSelector().getMatchLabels())))
              .toList();
      assertThat(pdbs).hasSize(1);
      assertThat(pdbs.getFirst().getSpec().getSelector().getMatchLabels()).isEqualTo(selector);
      assertThat(serviceOf(chart, deployment).getSpec().getSelector()).isEqualTo(selector);
      var spread = deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
      assertThat(spread).isNotEmpty();
      assertThat(spread)
          .allSatisfy(c -> assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(selector));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void the_gateway_scales_on_cpu_and_worker_and_poller_on_their_consumer_lag(RenderedChart chart)
      throws Exception {
    var gateway = deploymentOf(chart, "api-gateway");
    var hpa = chart.all(HorizontalPodAutoscaler.class);
    assertThat(hpa).hasSize(1);
    assertThat(hpa.getFirst().getSpec().getScaleTargetRef().getName())
        .isEqualTo(gateway.getMetadata().getName());
    assertThat(gateway.getSpec().getReplicas()).as("the HPA owns the replicas").isNull();

    var topics = new HashMap<String, KafkaTopic>();
    chart.all(KafkaTopic.class).forEach(t -> topics.put(t.topicName(), t));
    for (var scaled : chart.all(ScaledObject.class)) {
      var target = chart.named(Deployment.class, scaled.spec().scaleTargetRef().name());
      assertThat(target.getSpec().getReplicas()).as("KEDA owns the replicas").isNull();
      var env = PodEnvironment.of(chart, target, scratch);
      var app = nameLabel(target.getSpec().getSelector().getMatchLabels());
      var trigger = scaled.spec().triggers().getFirst();
      assertThat(trigger.type()).isEqualTo("kafka");
      String group;
      String topic;
      if (app.equals("transfer-worker")) {
        group =
            env.binder().bindOrCreate("cryptshare.worker", WorkerProperties.Worker.class).groupId();
        topic =
            env.binder()
                .bindOrCreate("cryptshare.worker.topics", WorkerProperties.TopicSettings.class)
                .commands();
      } else {
        group =
            env.binder().bindOrCreate("cryptshare.poller", PollerProperties.Poller.class).groupId();
        topic = PollerEnv.topics(env).events();
      }
      assertThat(trigger.metadata())
          .containsEntry("consumerGroup", group)
          .containsEntry("topic", topic);
      assertThat(scaled.spec().maxReplicaCount())
          .as("instances beyond the partition count sit idle")
          .isLessThanOrEqualTo(topics.get(topic).spec().partitions());
    }
    if (chart.variant().contains("KEDA")) {
      assertThat(chart.all(ScaledObject.class)).hasSize(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void termination_grace_outlasts_pre_stop_and_the_graceful_shutdown_phase(RenderedChart chart)
      throws Exception {
    for (var deployment : chart.all(Deployment.class)) {
      var env = PodEnvironment.of(chart, deployment, scratch);
      var container = containerOf(deployment);
      var preStop = container.getLifecycle().getPreStop().getExec().getCommand();
      assertThat(preStop.getFirst()).isEqualTo("sleep");
      var preStopSeconds = Long.parseLong(preStop.get(1));
      var phase = env.get("spring.lifecycle.timeout-per-shutdown-phase");
      var phaseSeconds = phase == null ? 30 : DurationStyle.detectAndParse(phase).toSeconds();
      assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
          .as(deployment.getMetadata().getName())
          .isGreaterThan(preStopSeconds + phaseSeconds);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void logs_are_structured_json(RenderedChart chart) throws Exception {
    for (var deployment : chart.all(Deployment.class)) {
      assertThat(
              PodEnvironment.of(chart, deployment, scratch)
                  .get("logging.structured.format.console"))
          .as(deployment.getMetadata().getName())
          .isIn("ecs", "logstash", "gelf");
    }
  }

  // --- helpers

  private static final class PollerEnv {
    static PollerProperties.Topics topics(PodEnvironment env) {
      return env.binder().bindOrCreate("cryptshare.poller.topics", PollerProperties.Topics.class);
    }
  }

  /** The topic names an app uses: every String component of its topics record. */
  private static Set<String> topicNames(PodEnvironment env) throws Exception {
    var app = env.get("spring.application.name");
    Object topics =
        switch (app) {
          case "api-gateway" ->
              env.binder()
                  .bindOrCreate("cryptshare.gateway.topics", GatewayProperties.Topics.class);
          case "transfer-worker" ->
              env.binder()
                  .bindOrCreate("cryptshare.worker.topics", WorkerProperties.TopicSettings.class);
          case "status-poller" -> PollerEnv.topics(env);
          default -> throw new AssertionError(app);
        };
    var names = new HashSet<String>();
    for (var component : topics.getClass().getRecordComponents()) {
      if (component.getType() == String.class) {
        names.add((String) component.getAccessor().invoke(topics));
      }
    }
    return names;
  }

  private static Deployment deploymentOf(RenderedChart chart, String app) {
    return chart.all(Deployment.class).stream()
        .filter(d -> app.equals(nameLabel(d.getSpec().getSelector().getMatchLabels())))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Deployment of " + app));
  }

  private static Service serviceOf(RenderedChart chart, Deployment deployment) {
    var selector = deployment.getSpec().getSelector().getMatchLabels();
    return chart.all(Service.class).stream()
        .filter(s -> nameLabel(selector).equals(nameLabel(s.getSpec().getSelector())))
        .findFirst()
        .orElseThrow();
  }

  private static Container containerOf(Deployment deployment) {
    var containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.getFirst();
  }

  private static String nameLabel(Map<String, String> labels) {
    return labels == null ? null : labels.get("app.kubernetes.io/name");
  }

  private static void assertProbe(Container container, Probe probe, String path, int port) {
    assertThat(probe).as("%s probe on %s", container.getName(), path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(resolve(container, probe.getHttpGet().getPort()))
        .as(container.getName())
        .isEqualTo(port);
  }

  /** A port given by number or by the container port's name. */
  private static int resolve(Container container, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port " + port.getStrVal()))
        .getContainerPort();
  }

  private static int portOf(String value) {
    return value == null ? 8080 : Integer.parseInt(value);
  }

  private static List<String> mountPaths(Container container) {
    return container.getVolumeMounts().stream().map(m -> m.getMountPath()).toList();
  }

  private static boolean isSecret(String envName) {
    var name = envName.toLowerCase();
    return Arrays.asList("clientid", "sha256", "credentialkeys").stream().anyMatch(name::contains);
  }

  @SuppressWarnings("unused")
  private static Duration unused() {
    return Duration.ZERO;
  }
}

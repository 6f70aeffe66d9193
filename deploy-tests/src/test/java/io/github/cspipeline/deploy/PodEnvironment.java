package io.github.cspipeline.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.github.cspipeline.gateway.ApiGatewayApplication;
import io.github.cspipeline.poller.StatusPollerApplication;
import io.github.cspipeline.worker.TransferWorkerApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * The Spring environment an app gets in its pod, built the way Spring Boot builds it: container
 * environment (literal and from ConfigMaps), the configtree the pod mounts (its ConfigMap items as
 * rendered, its Secret items as stand-in values), the app's own {@code application.yml} (default
 * profile) and its coded defaults, in that precedence.
 *
 * @param secretProperties properties whose value comes from a Secret key
 */
record PodEnvironment(StandardEnvironment environment, Set<String> secretProperties) {

  /** The module (= {@code app.kubernetes.io/name}) and its coded defaults. */
  static final Map<String, Map<String, Object>> DEFAULTS =
      Map.of(
          "api-gateway", ApiGatewayApplication.DEFAULTS,
          "transfer-worker", TransferWorkerApplication.DEFAULTS,
          "status-poller", StatusPollerApplication.DEFAULTS);

  static PodEnvironment of(RenderedChart chart, Deployment deployment, Path scratch)
      throws IOException {
    var app = deployment.getMetadata().getLabels().get("app.kubernetes.io/name");
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
    var env = new HashMap<String, Object>();
    for (var from : container.getEnvFrom()) {
      env.putAll(chart.named(ConfigMap.class, from.getConfigMapRef().getName()).getData());
    }
    if (container.getEnv() != null) {
      container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    }
    var environment = new StandardEnvironment();
    var sources = environment.getPropertySources();
    sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    sources.addLast(
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
    var secretProperties = new HashSet<String>();
    var imports = (String) env.getOrDefault("SPRING_CONFIG_IMPORT", "");
    for (var location : imports.split(",")) {
      if (location.startsWith("configtree:")) {
        var tree = mountedFiles(chart, deployment, container, location, scratch, secretProperties);
        sources.addLast(
            new ConfigTreePropertySource(
                location, tree, ConfigTreePropertySource.Option.AUTO_TRIM_TRAILING_NEW_LINE));
      }
    }
    var yaml = Path.of("..", app, "src", "main", "resources", "application.yml");
    if (Files.exists(yaml)) {
      for (var document : new YamlPropertySourceLoader().load(app, new FileSystemResource(yaml))) {
        if (document.getProperty("spring.config.activate.on-profile") == null) {
          sources.addLast(document);
        }
      }
    }
    sources.addLast(new MapPropertySource(app + "-defaults", DEFAULTS.get(app)));
    ConfigurationPropertySources.attach(environment);
    return new PodEnvironment(environment, Set.copyOf(secretProperties));
  }

  String get(String property) {
    return environment.getProperty(property);
  }

  Binder binder() {
    return Binder.get(environment);
  }

  /** The files of the volume mounted at a configtree location, written under {@code scratch}. */
  private static Path mountedFiles(
      RenderedChart chart,
      Deployment deployment,
      Container container,
      String location,
      Path scratch,
      Set<String> secretProperties)
      throws IOException {
    var mountPath = location.substring("configtree:".length()).replaceAll("/$", "");
    var mount =
        container.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().replaceAll("/$", "").equals(mountPath))
            .findFirst()
            .orElseThrow(() -> new AssertionError("nothing mounted at " + mountPath));
    var volume =
        deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    var dir = Files.createTempDirectory(scratch, mount.getName());
    for (var source : volume.getProjected().getSources()) {
      if (source.getConfigMap() != null) {
        var data = chart.named(ConfigMap.class, source.getConfigMap().getName()).getData();
        for (var item : source.getConfigMap().getItems()) {
          write(dir, item.getPath(), data.get(item.getKey()));
        }
      }
      if (source.getSecret() != null) {
        for (var item : source.getSecret().getItems()) {
          write(dir, item.getPath(), standIn(item.getPath()));
          secretProperties.add(item.getPath());
        }
      }
    }
    return dir;
  }

  private static void write(Path dir, String name, String value) throws IOException {
    Files.writeString(dir.resolve(name), value + "\n", StandardCharsets.UTF_8);
  }

  /** A well-formed value for a secret the test does not have. */
  private static String standIn(String property) {
    if (property.endsWith(".sha256")) {
      return "0".repeat(64);
    }
    if (property.contains("credential-keys.")) {
      return Base64.getEncoder().encodeToString(new byte[32]);
    }
    return "StandInClientId".repeat(4);
  }
}

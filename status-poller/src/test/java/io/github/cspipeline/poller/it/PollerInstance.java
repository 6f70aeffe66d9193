package io.github.cspipeline.poller.it;

import io.github.cspipeline.poller.StatusPollerApplication;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One status-poller instance in this JVM, started the way {@code java -jar} starts it: no
 * configuration file, only the keys given here. Each test gets its own topics, group and
 * transactional ids ({@link #settings}), so tests cannot see each other's watches.
 */
public final class PollerInstance implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  private PollerInstance(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /** The settings every poller of one test shares; {@code name} keeps tests apart. */
  public static Map<String, String> settings(String bootstrapServers, URI cryptshare, String name) {
    var settings = new LinkedHashMap<String, String>();
    settings.put("spring.kafka.bootstrap-servers", bootstrapServers);
    settings.put("cryptshare.servers.default.base-url", cryptshare.toString());
    settings.put("cryptshare.servers.default.client-id", SimulatorFixture.CLIENT_ID);
    settings.put("cryptshare.poller.topics.events", eventsTopic(name));
    settings.put("cryptshare.poller.topics.watches", name + ".watches");
    settings.put("cryptshare.poller.topics.dead-letters", name + ".dlt");
    settings.put("cryptshare.poller.group-id", name + "-poller");
    settings.put("cryptshare.poller.transactional-id-prefix", name + "-poller");
    settings.put("cryptshare.poller.first-poll-delay", "200ms");
    settings.put("cryptshare.poller.backoff-max", "1s");
    settings.put("cryptshare.poller.tick", "20ms");
    settings.put("logging.level.org.apache.kafka", "warn");
    return settings;
  }

  public static String eventsTopic(String name) {
    return name + ".events";
  }

  public static PollerInstance start(Map<String, String> settings) {
    List<String> args = new ArrayList<>();
    args.add("--spring.config.name=poller-it-without-config-file");
    args.add("--management.server.port=0");
    settings.forEach((key, value) -> args.add("--" + key + "=" + value));
    return new PollerInstance(StatusPollerApplication.builder().run(args.toArray(String[]::new)));
  }

  /** Command-line arguments for the same settings, for a poller in a JVM of its own. */
  public static List<String> arguments(Map<String, String> settings) {
    List<String> args = new ArrayList<>();
    args.add("--spring.config.name=poller-it-without-config-file");
    settings.forEach((key, value) -> args.add("--" + key + "=" + value));
    return args;
  }

  public WatchIndex watches() {
    return context.getBean(WatchIndex.class);
  }

  /** A bean of this instance, for what the accessors above do not cover. */
  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public MeterRegistry meters() {
    return context.getBean(MeterRegistry.class);
  }

  @Override
  public void close() {
    context.close();
  }
}

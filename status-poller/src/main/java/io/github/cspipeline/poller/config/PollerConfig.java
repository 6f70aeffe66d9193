package io.github.cspipeline.poller.config;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.poller.poll.Backoff;
import io.github.cspipeline.poller.poll.CryptshareStatusCheck;
import io.github.cspipeline.poller.poll.PollScheduler;
import io.github.cspipeline.poller.poll.PollerMetrics;
import io.github.cspipeline.poller.poll.TransferPoller;
import io.github.cspipeline.poller.publish.EventPublisher;
import io.github.cspipeline.poller.watch.InMemoryWatchList;
import io.github.cspipeline.poller.watch.WatchKeeper;
import io.github.cspipeline.poller.watch.WatchList;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/** The poller's beans apart from Kafka. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PollerProperties.class)
public class PollerConfig {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  CryptshareClients cryptshareClients(
      PollerProperties properties, RestClient.Builder restClientBuilder, Clock clock) {
    return new CryptshareClients(properties.servers(), restClientBuilder, clock);
  }

  @Bean
  WatchList watchList() {
    return new InMemoryWatchList();
  }

  @Bean
  MeterBinder watchedGauge(WatchList watchList) {
    return registry ->
        Gauge.builder(PollerMetrics.WATCHED, watchList, WatchList::size)
            .description("Transfers in PROCESSING the poller is watching")
            .register(registry);
  }

  @Bean
  PollerMetrics pollerMetrics(MeterRegistry registry) {
    return new PollerMetrics(registry);
  }

  @Bean
  WatchKeeper watchKeeper(WatchList watchList, PollerProperties properties, Clock clock) {
    var poller = properties.poller();
    return new WatchKeeper(
        watchList,
        properties.servers().keySet(),
        poller.firstPollDelay(),
        poller.watchDeadline(),
        clock);
  }

  @Bean
  TransferPoller transferPoller(
      WatchList watchList,
      CryptshareClients clients,
      EventPublisher publisher,
      PollerMetrics metrics,
      PollerProperties properties,
      Clock clock) {
    var poller = properties.poller();
    var backoff =
        new Backoff(
            poller.firstPollDelay(),
            poller.backoffMultiplier(),
            poller.backoffMax(),
            poller.jitter(),
            () -> ThreadLocalRandom.current().nextDouble());
    return new TransferPoller(
        watchList,
        new CryptshareStatusCheck(clients),
        publisher,
        backoff,
        poller.notFoundLimit(),
        metrics,
        clock);
  }

  @Bean
  PollScheduler pollScheduler(
      WatchList watchList,
      TransferPoller transferPoller,
      PollerProperties properties,
      Clock clock) {
    var poller = properties.poller();
    return new PollScheduler(
        watchList,
        transferPoller,
        clock,
        poller.maxConcurrentPollsPerServer(),
        poller.tick(),
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("status-poll-", 0).factory()));
  }
}

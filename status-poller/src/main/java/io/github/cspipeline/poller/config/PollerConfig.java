package io.github.cspipeline.poller.config;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.cryptshare.budget.RequestBudget;
import io.github.cspipeline.cryptshare.budget.RequestBudgets;
import io.github.cspipeline.cryptshare.budget.RequestRate;
import io.github.cspipeline.cryptshare.tracing.CryptshareRequestTracing;
import io.github.cspipeline.poller.poll.Backoff;
import io.github.cspipeline.poller.poll.CryptshareStatusCheck;
import io.github.cspipeline.poller.poll.PollScheduler;
import io.github.cspipeline.poller.poll.PollerMetrics;
import io.github.cspipeline.poller.poll.SenderSweep;
import io.github.cspipeline.poller.poll.StatusSource;
import io.github.cspipeline.poller.poll.TransferPoller;
import io.github.cspipeline.poller.tracing.PollTracing;
import io.github.cspipeline.poller.watch.TerminalPublisher;
import io.github.cspipeline.poller.watch.WatchIndex;
import io.github.cspipeline.poller.watch.WatchKeeper;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The poller's beans apart from Kafka. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PollerProperties.class)
public class PollerConfig {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * The request budget of each server (origin, ADR 032): {@code max-requests-per-second} and {@code
   * max-concurrent-polls-per-server}. A poll is dispatched only when it gets a slot and the
   * reserved permit of its first request at once, so its bulkhead never waits.
   */
  @Bean
  RequestBudgets requestBudgets(PollerProperties properties) {
    var baseUrls = new LinkedHashMap<String, URI>();
    properties.servers().forEach((id, server) -> baseUrls.put(id, server.baseUrl()));
    var poller = properties.poller();
    return new RequestBudgets(
        baseUrls,
        servers ->
            new RequestBudget(
                RequestRate.of(poller.maxRequestsPerSecond()),
                Bulkhead.of(
                    servers.getFirst(),
                    BulkheadConfig.custom()
                        .maxConcurrentCalls(poller.maxConcurrentPollsPerServer())
                        .maxWaitDuration(Duration.ZERO)
                        .build())));
  }

  /**
   * Every request to Cryptshare passes the budgets, so the rate cap holds whatever sends it. No
   * per-request observation (ADR 030): the request carries the poll span's traceparent, and gets a
   * client span of its own only when the trace is sampled; {@code cryptshare.poller.poll.latency}
   * times the requests.
   */
  @Bean
  CryptshareClients cryptshareClients(
      PollerProperties properties,
      RequestBudgets budgets,
      ObjectProvider<Tracer> tracer,
      Clock clock) {
    var requestTracing = new CryptshareRequestTracing(tracer.getIfAvailable(() -> Tracer.NOOP));
    return new CryptshareClients(properties.servers(), budgets.then(requestTracing), clock);
  }

  @Bean
  StatusSource statusSource(CryptshareClients clients) {
    return new CryptshareStatusCheck(clients);
  }

  /** The poller's spans; without a tracer (tracing off) events keep their watch's context. */
  @Bean
  PollTracing pollTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
    return new PollTracing(
        tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
  }

  @Bean
  WatchIndex watchIndex() {
    return new WatchIndex();
  }

  @Bean
  MeterBinder watchGauges(WatchIndex index, RequestBudgets budgets) {
    return registry -> {
      Gauge.builder(
              PollerMetrics.AWAITING_CONFIGURATION,
              index,
              watches ->
                  watches.servers().stream()
                      .filter(server -> !budgets.isConfigured(server))
                      .mapToInt(watches::watchedOn)
                      .sum())
          .description(
              "Watched transfers of servers this instance has no configuration for; they end"
                  + " ABANDONED (SERVER_NOT_CONFIGURED) unless an instance configured for their"
                  + " server takes them over within the grace")
          .register(registry);
      Gauge.builder(PollerMetrics.WATCHED, index, WatchIndex::size)
          .description("Transfers in PROCESSING this instance watches")
          .register(registry);
      Gauge.builder(PollerMetrics.STUCK, index, WatchIndex::stuckCount)
          .description("Watched transfers PROCESSING for longer than the stuck threshold")
          .register(registry);
      Gauge.builder(PollerMetrics.SENDERS, index, WatchIndex::senders)
          .description(
              "Senders with watched transfers here; what the poller keeps per sender goes with"
                  + " the sender's last watch")
          .register(registry);
    };
  }

  @Bean
  PollerMetrics pollerMetrics(MeterRegistry registry) {
    return new PollerMetrics(registry);
  }

  @Bean
  Backoff backoff(PollerProperties properties) {
    var poller = properties.poller();
    return new Backoff(
        poller.firstPollDelay(),
        poller.backoffMultiplier(),
        poller.backoffMax(),
        poller.jitter(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  @Bean
  WatchKeeper watchKeeper(
      WatchIndex index,
      PollerProperties properties,
      Backoff backoff,
      PollTracing tracing,
      CryptshareClients clients,
      Clock clock) {
    var poller = properties.poller();
    return new WatchKeeper(
        index,
        properties.servers().keySet(),
        (server, sender, trackingId) -> clients.get(server).statusUrlOf(sender, trackingId),
        poller.unknownServerGrace(),
        poller.firstPollDelay(),
        poller.watchDeadline(),
        new WatchKeeper.Resumption(backoff::pollsWithin, polls -> backoff.after(polls, null)),
        () -> ThreadLocalRandom.current().nextDouble(),
        tracing,
        clock);
  }

  @Bean
  TransferPoller transferPoller(
      WatchIndex index,
      StatusSource statusSource,
      TerminalPublisher publisher,
      Backoff backoff,
      PollerMetrics metrics,
      PollTracing tracing,
      PollerProperties properties,
      Clock clock) {
    var poller = properties.poller();
    return new TransferPoller(
        index,
        statusSource,
        publisher,
        backoff,
        poller.notFoundLimit(),
        poller.stuckAfter(),
        metrics,
        tracing,
        clock);
  }

  @Bean
  PollScheduler pollScheduler(
      WatchIndex index,
      TransferPoller transferPoller,
      StatusSource statusSource,
      RequestBudgets budgets,
      PollerMetrics metrics,
      PollTracing tracing,
      PollerProperties properties,
      Clock clock) {
    var poller = properties.poller();
    var bulk = poller.bulk();
    return new PollScheduler(
        index,
        transferPoller,
        new SenderSweep(index, statusSource, bulk.pageSize(), bulk.maxPages(), metrics),
        new PollScheduler.Bulk(bulk.enabled(), bulk.minWatchedPerSender()),
        budgets,
        clock,
        poller.tick(),
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("status-poll-", 0).factory()),
        metrics,
        tracing);
  }
}

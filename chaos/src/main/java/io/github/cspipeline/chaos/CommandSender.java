package io.github.cspipeline.chaos;

import io.github.cspipeline.model.CloudEvents;
import io.github.cspipeline.model.Topics;
import io.github.cspipeline.model.WireFormat;
import io.github.cspipeline.model.command.FinalizeCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the benchmark's finalize commands, in one burst or at {@code settings.rate()}: straight
 * onto the commands topic, or through the gateway's REST API; stamps when each was sent and counts
 * the answers.
 */
final class CommandSender {

  private static final String SOURCE = "/cryptshare-pipeline/pipeline-benchmark";

  private final BenchmarkSettings settings;
  private final String server;
  private final String apiKey;
  private final TransferTimes times;
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();

  CommandSender(BenchmarkSettings settings, String server, String apiKey, TransferTimes times) {
    this.settings = settings;
    this.server = server;
    this.apiKey = apiKey;
    this.times = times;
  }

  void send(List<String> ids) throws InterruptedException {
    if (settings.viaGateway()) {
      sendThroughGateway(ids);
    } else {
      produce(ids);
    }
  }

  /** The answers so far: how many commands were produced, or each HTTP status. */
  Map<String, Long> answerCounts() {
    var counts = new LinkedHashMap<String, Long>();
    answers.forEach((k, v) -> counts.put(k, v.get()));
    return counts;
  }

  /** Forgets the answers so far (the warm-up's). */
  void clearAnswers() {
    answers.clear();
  }

  private String sender(int i) {
    return "sender-" + (i % settings.senders()) + "@example.com";
  }

  /** Commands as the gateway writes them (value and CloudEvents headers), without credential. */
  private void produce(List<String> ids) throws InterruptedException {
    var config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + settings.kafkaPort());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    var mapper = WireFormat.mapper();
    var failures = new AtomicInteger();
    try (var producer =
        new KafkaProducer<String, byte[]>(
            config, new StringSerializer(), new ByteArraySerializer())) {
      pace(
          ids.size(),
          i -> {
            var command = FinalizeCommand.of(Instant.now(), server, sender(i), ids.get(i), null);
            var record =
                new ProducerRecord<String, byte[]>(
                    Topics.FINALIZE_COMMANDS,
                    command.trackingId(),
                    mapper.writeValueAsBytes(command));
            CloudEvents.addCommandHeaders(record.headers(), command, SOURCE);
            times.requested(ids.get(i), command.requestedAt().toEpochMilli());
            producer.send(
                record,
                (metadata, e) -> {
                  if (e != null && failures.getAndIncrement() == 0) {
                    System.err.println("pipeline-benchmark: a command was not sent: " + e);
                  }
                });
          });
      producer.flush();
    }
    count("produced", ids.size() - failures.get());
    if (failures.get() > 0) {
      count("not produced", failures.get());
    }
  }

  /** Through the REST API, {@code concurrency} requests at once; 429, 503 and no answer retried. */
  private void sendThroughGateway(List<String> ids) throws InterruptedException {
    var http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    var uri = URI.create("http://127.0.0.1:" + settings.gatewayPort() + "/api/v1/finalizations");
    var slots = new Semaphore(settings.concurrency());
    try (var requests = Executors.newVirtualThreadPerTaskExecutor()) {
      pace(
          ids.size(),
          i -> {
            slots.acquire();
            var body =
                WireFormat.mapper()
                    .writeValueAsString(
                        Map.of("server", server, "sender", sender(i), "trackingId", ids.get(i)));
            times.requested(ids.get(i), System.currentTimeMillis());
            requests.execute(
                () -> {
                  try {
                    post(http, uri, body);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    slots.release();
                  }
                });
          });
    }
  }

  /** One command, retried up to 20 times after 429, 503 or no answer. */
  private void post(HttpClient http, URI uri, String body) throws InterruptedException {
    for (int attempt = 0; attempt < 20; attempt++) {
      var request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(20))
              .header("Authorization", "Bearer " + apiKey)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      int status;
      long retryAfter = 1;
      try {
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        status = response.statusCode();
        retryAfter = response.headers().firstValueAsLong("Retry-After").orElse(1);
        count(Integer.toString(status), 1);
      } catch (IOException e) {
        status = -1;
        count("no answer", 1);
      }
      if (status != 429 && status != 503 && status != -1) {
        return;
      }
      Thread.sleep(Math.min(retryAfter, 5) * 1000);
    }
  }

  @FunctionalInterface
  private interface Send {
    void send(int i) throws Exception;
  }

  /** Calls {@code send} for 0..n-1: at once, or spread evenly at {@code settings.rate()}. */
  private void pace(int n, Send send) throws InterruptedException {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (settings.rate() > 0) {
        long due = start + i * 1_000_000_000L / settings.rate();
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
          Thread.sleep(wait / 1_000_000);
        }
      }
      try {
        send.send(i);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("Sending command " + i, e);
      }
    }
  }

  private void count(String answer, long n) {
    answers.computeIfAbsent(answer, a -> new AtomicLong()).addAndGet(n);
  }
}

package io.github.cspipeline.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Submits the transfers through the gateway's REST API at a fixed rate: the mix of kinds, 5 %
 * repeats of earlier requests, and every request answered 503, 429 or not at all sent again later.
 * Only a transfer answered 202 counts as accepted.
 */
final class Load {

  /** What a transfer is set up to be, and the terminal state it must end in. */
  enum Kind {
    ACTIVE("ACTIVE"),
    FAILED("FAILED"),
    UNVERIFIED_SENDER("REJECTED"),
    FILE_NOT_UPLOADED("REJECTED"),
    EDGE_INPUT("ACTIVE");

    final String expected;

    Kind(String expected) {
      this.expected = expected;
    }

    boolean finalizes() {
      return !expected.equals("REJECTED");
    }
  }

  /** One transfer and what the driver saw of it. */
  static final class Transfer {
    final int seq;
    final Kind kind;
    final String server;
    final String sender;
    final String trackingId;
    final String body;
    volatile @Nullable Instant acceptedAt;
    volatile @Nullable String refusal;
    final AtomicInteger requests = new AtomicInteger();

    Transfer(int seq, Kind kind, String server, String sender, String trackingId) {
      this.seq = seq;
      this.kind = kind;
      this.server = server;
      this.sender = sender;
      this.trackingId = trackingId;
      this.body =
          JSON.writeValueAsString(
              Map.of("server", server, "sender", sender, "trackingId", trackingId));
    }

    String key() {
      return server + "/" + trackingId;
    }
  }

  /** The second server id: dots and an underscore, bound with brackets in every service. */
  static final String SECOND_SERVER = "cs_2.eu";

  static final List<String> UNVERIFIED_SENDERS =
      List.of("unverified-1@example.com", "unverified-2@example.com");

  /** Senders the gateway's rules accept although they are unusual; all of them are verified. */
  static final List<String> EDGE_SENDERS =
      List.of(
          "first.last+tag@mail.example.co.uk",
          "o'brien&co@example.com",
          "x!$*=~@sub-1.example.org",
          "UPPER.Case@Example.COM",
          "j\u00f6rg@b\u00fccher.example",
          "u".repeat(64) + "@" + "d".repeat(63) + "." + "e".repeat(63) + "." + "f".repeat(61));

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Settings settings;
  private final String apiKey;
  private final String runTag;
  private final Random random;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
  private final Simulator simulator;

  final List<Transfer> transfers = Collections.synchronizedList(new ArrayList<>());
  final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  final AtomicInteger repeatsSent = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<Retry> retries = new ConcurrentLinkedQueue<>();

  private record Retry(Transfer transfer, long dueNanos) {}

  Load(Settings settings, String apiKey, String runTag, Simulator simulator) {
    this.settings = settings;
    this.apiKey = apiKey;
    this.runTag = runTag;
    this.random = new Random(settings.seed());
    this.simulator = simulator;
  }

  /** Sends every transfer at the rate, then sends what must be sent again until {@code giveUp}. */
  void run(Instant giveUp) throws InterruptedException {
    long start = System.nanoTime();
    long periodNanos = 1_000_000_000L / settings.rate();
    for (int seq = 0; seq < settings.transfers(); seq++) {
      long due = start + seq * periodNanos;
      while (System.nanoTime() < due) {
        sendDueRetries();
        Thread.sleep(Math.max(1, Math.min(20, (due - System.nanoTime()) / 1_000_000)));
      }
      var transfer = next(seq);
      transfers.add(transfer);
      send(transfer);
      if (seq > 20 && random.nextDouble() < 0.05) {
        var earlier = transfers.get(random.nextInt(transfers.size() - 1));
        repeatsSent.incrementAndGet();
        send(earlier);
      }
      sendDueRetries();
    }
    while ((!retries.isEmpty() || inFlight.get() > 0) && Instant.now().isBefore(giveUp)) {
      sendDueRetries();
      Thread.sleep(50);
    }
  }

  int pendingRetries() {
    return retries.size();
  }

  private Transfer next(int seq) {
    double draw = random.nextDouble();
    var id = runTag + "-" + seq;
    var sender = "sender-" + random.nextInt(40) + "@example.com";
    try {
      if (draw < 0.06) {
        var t = new Transfer(seq, Kind.FAILED, "default", sender, id + "-f");
        simulator.seedSession(t.sender, t.trackingId, "FAILED", true, settings.processingTime());
        return t;
      }
      if (draw < 0.10) {
        var t =
            new Transfer(
                seq,
                Kind.UNVERIFIED_SENDER,
                "default",
                UNVERIFIED_SENDERS.get(seq % UNVERIFIED_SENDERS.size()),
                id + "-u");
        return t;
      }
      if (draw < 0.14) {
        var t = new Transfer(seq, Kind.FILE_NOT_UPLOADED, "default", sender, id + "-n");
        simulator.seedSession(t.sender, t.trackingId, "ACTIVE", false, settings.processingTime());
        return t;
      }
      if (draw < 0.18) {
        return edge(seq, id);
      }
    } catch (IOException e) {
      // The control API is not subject to faults; a failure here is the simulator's, fall back.
      System.err.println("chaos: seeding " + id + " failed (" + e + "); sending it as ACTIVE");
    }
    return new Transfer(seq, Kind.ACTIVE, "default", sender, id + "-a");
  }

  private Transfer edge(int seq, String id) {
    int variant = seq % (EDGE_SENDERS.size() + 2);
    if (variant < EDGE_SENDERS.size()) {
      var server = variant % 2 == 0 ? "default" : SECOND_SERVER;
      return new Transfer(seq, Kind.EDGE_INPUT, server, EDGE_SENDERS.get(variant), id + "-e");
    }
    // The longest tracking id the contract allows, and one made of separators and digits only.
    var longest = (id + "-E_").concat("x".repeat(64)).substring(0, 64);
    var odd = variant == EDGE_SENDERS.size() ? longest : "-_" + id.replace("-", "_") + "_-";
    return new Transfer(
        seq,
        Kind.EDGE_INPUT,
        variant % 2 == 0 ? "default" : SECOND_SERVER,
        "edge@example.com",
        odd);
  }

  private void sendDueRetries() {
    long now = System.nanoTime();
    for (int i = retries.size(); i > 0; i--) {
      var retry = retries.poll();
      if (retry == null) {
        return;
      }
      if (retry.dueNanos() <= now) {
        send(retry.transfer());
      } else {
        retries.add(retry);
      }
    }
  }

  private void send(Transfer transfer) {
    inFlight.incrementAndGet();
    transfer.requests.incrementAndGet();
    requests.execute(
        () -> {
          try {
            var request =
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + settings.gatewayPort() + "/api/v1/finalizations"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(transfer.body))
                    .build();
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            count(Integer.toString(status));
            switch (status) {
              case 202 -> {
                if (transfer.acceptedAt == null) {
                  transfer.acceptedAt = Instant.now();
                }
              }
              case 503, 429 ->
                  retryLater(
                      transfer,
                      response
                          .headers()
                          .firstValueAsLong("Retry-After")
                          .orElse(status == 503 ? 5 : 1));
              default -> {
                if (transfer.acceptedAt == null) {
                  transfer.refusal =
                      status
                          + " "
                          + response.body().substring(0, Math.min(300, response.body().length()));
                }
              }
            }
          } catch (IOException e) {
            // The gateway was killed or restarting: the request may or may not have been taken;
            // sending the same body again is safe, it is idempotent.
            count("no answer");
            retryLater(transfer, 2);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            inFlight.decrementAndGet();
          }
        });
  }

  private void retryLater(Transfer transfer, long seconds) {
    retries.add(new Retry(transfer, System.nanoTime() + Math.min(seconds, 10) * 1_000_000_000L));
  }

  private void count(String answer) {
    answers.computeIfAbsent(answer, a -> new AtomicLong()).incrementAndGet();
  }

  Map<String, Long> answerCounts() {
    var counts = new LinkedHashMap<String, Long>();
    answers.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> counts.put(e.getKey(), e.getValue().get()));
    return counts;
  }

  void close() {
    requests.shutdownNow();
  }
}

package io.github.cspipeline.example.consumer;

import io.github.cspipeline.example.consumer.event.TransferEvent;
import io.github.cspipeline.example.consumer.event.TransferEventHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Transfer event records as the pipeline writes them, and a handler that records its calls. */
final class EventFixtures {

  static final String TOPIC = "cryptshare.transfer.events";
  static final String DEAD_LETTERS = "cryptshare.example-consumer.dlt";
  static final String TYPE_V1 = "io.github.cspipeline.transfer-event.v1";

  private EventFixtures() {}

  static String newTrackingId() {
    return "20261126-101500-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A v1 event's value, with a field this consumer does not know (v1 may add fields). */
  static byte[] value(String trackingId, String state, String eventId) {
    var recipients =
        state.equals("ACTIVE")
            ? """
              [{"mail": "bob@example.org", "downloadUrl": "https://cs.example.com/download/1",
                "notificationFailed": false}]"""
            : "[]";
    var error =
        state.equals("REJECTED") || state.equals("ABANDONED")
            ? """
              {"code": "CRYPTSHARE_REJECTED", "message": "refused", "httpStatus": 409,
               "cryptshareErrorCode": 2001}"""
            : "null";
    return """
        {"schemaVersion": 1, "eventId": "%s", "server": "default",
         "sender": "alice@example.com", "trackingId": "%s", "state": "%s",
         "previousState": null, "occurredAt": "2026-11-26T10:15:07.123Z",
         "statusUrl": "https://cs.example.com/api/users/alice@example.com/transfers/%s",
         "cryptshareState": "%s", "warnings": false, "recipients": %s, "error": %s,
         "addedInSomeLaterV1": {"x": 1}}"""
        .formatted(eventId, trackingId, state, trackingId, state, recipients, error)
        .getBytes(StandardCharsets.UTF_8);
  }

  static ProducerRecord<String, byte[]> event(String trackingId, String state) {
    var eventId = UUID.randomUUID().toString();
    return record(trackingId, state, TYPE_V1, eventId, value(trackingId, state, eventId));
  }

  /** A record with the binary-mode CloudEvents headers of the contract. */
  static ProducerRecord<String, byte[]> record(
      String trackingId, String state, String type, String eventId, byte[] value) {
    var headers = new RecordHeaders();
    Map.of(
            "ce_specversion",
            "1.0",
            "ce_id",
            eventId,
            "ce_type",
            type,
            "ce_source",
            "/cryptshare-pipeline/status-poller",
            "ce_subject",
            trackingId,
            "ce_transferstate",
            state,
            "content-type",
            "application/json",
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .forEach((k, v) -> headers.add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
    return new ProducerRecord<>(TOPIC, null, trackingId, value, headers);
  }

  /** Records successful calls per tracking id; fails a tracking id's calls as told. */
  static final class RecordingHandler implements TransferEventHandler {

    private final Map<String, List<String>> handled = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

    void failTimes(String trackingId, int times) {
      failuresLeft.put(trackingId, new AtomicInteger(times));
    }

    /** States handled successfully, in order. */
    List<String> handled(String trackingId) {
      return List.copyOf(handled.getOrDefault(trackingId, List.of()));
    }

    int attempts(String trackingId) {
      var count = attempts.get(trackingId);
      return count == null ? 0 : count.get();
    }

    @Override
    public void onActive(TransferEvent event) {
      record(event, "onActive");
    }

    @Override
    public void onFailed(TransferEvent event) {
      record(event, "onFailed");
    }

    @Override
    public void onEndedWithoutDownloads(TransferEvent event) {
      record(event, "onEndedWithoutDownloads");
    }

    private void record(TransferEvent event, String method) {
      attempts.computeIfAbsent(event.trackingId(), k -> new AtomicInteger()).incrementAndGet();
      var left = failuresLeft.get(event.trackingId());
      if (left != null && left.getAndDecrement() > 0) {
        throw new IllegalStateException("downstream unavailable for " + event.trackingId());
      }
      handled
          .computeIfAbsent(event.trackingId(), k -> new CopyOnWriteArrayList<>())
          .add(method + ":" + event.state());
    }
  }
}

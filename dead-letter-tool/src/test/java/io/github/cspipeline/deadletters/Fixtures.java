package io.github.cspipeline.deadletters;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Dead letters as the worker's recoverer writes them. */
final class Fixtures {

  static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");
  static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  static final String COMMAND =
      """
      {"schemaVersion":1,"commandId":"3f1c","requestedAt":"2026-12-02T09:59:59Z",\
      "server":"default","sender":"alice@example.com","trackingId":"%s",\
      "credential":"e2e.AAAA.BBBB"}""";

  private Fixtures() {}

  static DeadLetter workerDeadLetter(long offset, String trackingId, String reason, Instant at) {
    var headers = new ArrayList<Header>();
    headers.add(text("ce_id", "id-" + trackingId));
    headers.add(text("ce_type", "io.github.cspipeline.finalize-command.v1"));
    headers.add(text("traceparent", TRACEPARENT));
    headers.add(text(DeadLetter.ORIGINAL_TOPIC, "cryptshare.finalize.commands"));
    headers.add(
        new RecordHeader(DeadLetter.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(2).array()));
    headers.add(
        new RecordHeader(DeadLetter.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(41).array()));
    headers.add(
        new RecordHeader(
            DeadLetter.ORIGINAL_TIMESTAMP,
            ByteBuffer.allocate(8).putLong(at.minusSeconds(1).toEpochMilli()).array()));
    headers.add(text(DeadLetter.EXCEPTION_FQCN, "java.lang.IllegalStateException"));
    headers.add(text(DeadLetter.EXCEPTION_MESSAGE, "wrapped: " + reason));
    headers.add(text(DeadLetter.EXCEPTION_STACKTRACE, "java.lang.IllegalStateException\n\tat x"));
    headers.add(text(DeadLetter.WORKER_REASON, reason));
    return new DeadLetter(
        "cryptshare.transfer-worker.dlt",
        0,
        offset,
        at,
        trackingId.getBytes(StandardCharsets.UTF_8),
        COMMAND.formatted(trackingId).getBytes(StandardCharsets.UTF_8),
        headers);
  }

  static DeadLetter pollerDeadLetter(long offset, String key, String message) {
    return new DeadLetter(
        "cryptshare.status-poller.dlt",
        0,
        offset,
        AT,
        key.getBytes(StandardCharsets.UTF_8),
        "{}".getBytes(StandardCharsets.UTF_8),
        List.of(
            text(DeadLetter.ORIGINAL_TOPIC, "cryptshare.transfer.events"),
            text(DeadLetter.EXCEPTION_FQCN, "x.InvalidEventException"),
            text(DeadLetter.EXCEPTION_MESSAGE, message)));
  }

  static Header text(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

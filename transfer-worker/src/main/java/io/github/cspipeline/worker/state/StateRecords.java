package io.github.cspipeline.worker.state;

import io.github.cspipeline.model.CloudEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds the records of the state topic: same partition as the command, key server/trackingId. */
public final class StateRecords {

  /** CloudEvents {@code ce_source} of the worker's own records. */
  public static final String SOURCE = "/cryptshare-pipeline/transfer-worker";

  private final String topic;
  private final ProgressRestorer restorer;

  public StateRecords(String topic, ProgressRestorer restorer) {
    this.topic = topic;
    this.restorer = restorer;
  }

  public ProducerRecord<String, Object> of(TransferProgress progress, Instant now) {
    var record =
        new ProducerRecord<String, Object>(
            topic,
            restorer.statePartitionOf(progress.commandPartition()),
            progress.key(),
            progress);
    CloudEvents.addHeaders(
        record.headers(), UUID.randomUUID(), TransferProgress.CLOUD_EVENT_TYPE, SOURCE, now);
    record
        .headers()
        .add(
            ProgressRestorer.LAYOUT_HEADER,
            Integer.toString(restorer.layout()).getBytes(StandardCharsets.UTF_8));
    return record;
  }
}

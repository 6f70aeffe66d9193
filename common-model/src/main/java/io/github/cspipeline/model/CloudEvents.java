package io.github.cspipeline.model;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * CloudEvents Kafka protocol binding, binary mode: the record's value is the event data and the
 * attributes travel as {@code ce_*} headers. Every record on the pipeline's topics carries them;
 * the records of the public topics also name their subject (the trackingId) and their JSON Schema
 * ({@link #addCommandHeaders}, {@link #addEventHeaders}; docs/adr/027).
 */
public final class CloudEvents {

  public static final String SPEC_VERSION = "ce_specversion";
  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";
  public static final String SOURCE = "ce_source";
  public static final String TIME = "ce_time";
  public static final String CONTENT_TYPE = "content-type";

  /** {@code ce_subject}: the trackingId, as the record's key. */
  public static final String SUBJECT = "ce_subject";

  /** {@code ce_dataschema}: the {@code $id} of the value's JSON Schema. */
  public static final String DATA_SCHEMA = "ce_dataschema";

  /**
   * {@code ce_transferstate}: extension attribute of transfer events, the event's {@code state}, so
   * that a consumer can filter (e.g. terminal events only) without parsing the value.
   */
  public static final String TRANSFER_STATE = "ce_transferstate";

  private CloudEvents() {}

  /**
   * A record of {@code value} keyed by the trackingId, with the CloudEvents headers set.
   *
   * @param source the producing application, e.g. {@code /cryptshare-pipeline/api-gateway}
   */
  public static <V> ProducerRecord<String, V> record(
      String topic, String key, V value, UUID id, String type, String source, Instant time) {
    var record = new ProducerRecord<String, V>(topic, key, value);
    addHeaders(record.headers(), id, type, source, time);
    return record;
  }

  public static void addHeaders(
      Headers headers, UUID id, String type, String source, Instant time) {
    put(headers, SPEC_VERSION, "1.0");
    put(headers, ID, id.toString());
    put(headers, TYPE, type);
    put(headers, SOURCE, source);
    put(headers, TIME, DateTimeFormatter.ISO_INSTANT.format(time));
    put(headers, CONTENT_TYPE, "application/json");
  }

  /**
   * The headers of a {@link FinalizeCommand} record: {@code ce_id} = commandId, {@code ce_time} =
   * requestedAt, {@code ce_subject} = trackingId, {@code ce_dataschema} = its schema.
   */
  public static void addCommandHeaders(Headers headers, FinalizeCommand command, String source) {
    addHeaders(
        headers,
        command.commandId(),
        FinalizeCommand.CLOUD_EVENT_TYPE,
        source,
        command.requestedAt());
    put(headers, SUBJECT, command.trackingId());
    put(headers, DATA_SCHEMA, FinalizeCommand.DATA_SCHEMA.toString());
  }

  /**
   * The headers of a {@link TransferEvent} record: {@code ce_id} = eventId, {@code ce_time} =
   * occurredAt, {@code ce_subject} = trackingId, {@code ce_dataschema} = its schema, {@code
   * ce_transferstate} = state.
   */
  public static void addEventHeaders(Headers headers, TransferEvent event, String source) {
    addHeaders(
        headers, event.eventId(), TransferEvent.CLOUD_EVENT_TYPE, source, event.occurredAt());
    put(headers, SUBJECT, event.trackingId());
    put(headers, DATA_SCHEMA, TransferEvent.DATA_SCHEMA.toString());
    put(headers, TRANSFER_STATE, event.state().name());
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

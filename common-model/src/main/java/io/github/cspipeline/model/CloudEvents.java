package io.github.cspipeline.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * CloudEvents Kafka protocol binding, binary mode: the record's value is the event data and the
 * attributes travel as {@code ce_*} headers. Every record on the pipeline's topics carries them.
 */
public final class CloudEvents {

  public static final String SPEC_VERSION = "ce_specversion";
  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";
  public static final String SOURCE = "ce_source";
  public static final String TIME = "ce_time";
  public static final String CONTENT_TYPE = "content-type";

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

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

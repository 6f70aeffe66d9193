package io.github.cspipeline.example.consumer.event;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/** The CloudEvents attributes (binary mode: one {@code ce_*} header each) this consumer reads. */
public final class CloudEventHeaders {

  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";

  /** Extension attribute of the transfer events: the value's {@code state}. */
  public static final String TRANSFER_STATE = "ce_transferstate";

  private CloudEventHeaders() {}

  /** The header's last value as UTF-8, or null. */
  public static @Nullable String get(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}

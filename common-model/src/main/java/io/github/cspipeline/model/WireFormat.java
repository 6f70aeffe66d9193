package io.github.cspipeline.model;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapping of every record on the pipeline's topics. Producers and consumers use this one
 * mapper so that the wire format cannot differ between modules.
 */
public final class WireFormat {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          // The contract lets producers add fields; consumers must not fail on them.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private WireFormat() {}

  /** The shared, immutable mapper (Jackson 3: dates as ISO-8601 strings). */
  public static JsonMapper mapper() {
    return MAPPER;
  }
}

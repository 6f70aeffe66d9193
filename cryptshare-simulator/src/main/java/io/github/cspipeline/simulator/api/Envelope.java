package io.github.cspipeline.simulator.api;

import java.util.Map;

/** The success envelope of every Cryptshare API answer with a body. */
public record Envelope<T>(T data, Map<String, Object> meta) {

  public Envelope {
    meta = Map.copyOf(meta);
  }

  public static <T> Envelope<T> of(T data) {
    return new Envelope<>(data, Map.of());
  }
}

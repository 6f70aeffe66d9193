package io.github.cspipeline.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/** Gateway properties for unit tests: one server "default", no API keys, small limits. */
public final class TestGatewayProperties {

  private TestGatewayProperties() {}

  /**
   * @param jwt the JWT settings, null for none
   * @param viewCacheEntries how many transfers the views cache
   */
  public static GatewayProperties of(GatewayProperties.@Nullable Jwt jwt, int viewCacheEntries) {
    return new GatewayProperties(
        Map.of("default", new GatewayProperties.Server(null)),
        new GatewayProperties.Gateway(
            List.of(),
            jwt,
            new GatewayProperties.Topics("c", "e", "cl", 1, (short) 1, Duration.ofDays(1)),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(15),
            Map.of(),
            null,
            DataSize.ofKilobytes(16),
            Duration.ofMinutes(10),
            new GatewayProperties.Sse(20, 1000, Duration.ofSeconds(15)),
            new GatewayProperties.View(
                null, viewCacheEntries, DataSize.ofMegabytes(8), DataSize.ofMegabytes(4))));
  }
}

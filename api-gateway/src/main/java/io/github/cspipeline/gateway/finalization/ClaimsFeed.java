package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.kafka.TopicReader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Exposes the claims reader, so that it runs with the application and counts for readiness. */
@Configuration(proxyBeanMethods = false)
class ClaimsFeed {

  @Bean
  TopicReader claimsReader(Claims claims) {
    return claims.reader();
  }
}

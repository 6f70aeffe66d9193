package io.github.cspipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.poller.config.PollerProperties;
import io.github.cspipeline.worker.config.WorkerProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml names the internal topics too. Their names belong to the modules that own
 * them, not to common-model (whose AsyncApiDocumentTest checks the public channels), so they are
 * checked here, where every app is on the class path.
 */
class AsyncApiInternalTopicsTest {

  @Test
  void the_internal_channels_are_the_default_topics_of_the_modules_that_own_them()
      throws Exception {
    JsonNode channels =
        new YAMLMapper().readTree(Path.of("..", "docs", "asyncapi.yaml").toFile()).path("channels");

    assertThat(channels.path("gatewayClaims").path("address").asText())
        .isEqualTo(GatewayProperties.Topics.CLAIMS_TOPIC);
    assertThat(channels.path("workerState").path("address").asText())
        .isEqualTo(WorkerProperties.STATE_TOPIC);
    assertThat(channels.path("workerDeadLetters").path("address").asText())
        .isEqualTo(WorkerProperties.DEAD_LETTERS_TOPIC);
    assertThat(channels.path("pollerWatches").path("address").asText())
        .isEqualTo(PollerProperties.WATCHES_TOPIC);
    assertThat(channels.path("pollerDeadLetters").path("address").asText())
        .isEqualTo(PollerProperties.DEAD_LETTERS_TOPIC);
  }
}

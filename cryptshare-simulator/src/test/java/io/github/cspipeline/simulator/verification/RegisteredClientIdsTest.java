package io.github.cspipeline.simulator.verification;

import static io.github.cspipeline.simulator.SimulatorClient.OTHER_CLIENT_ID;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.verificationPath;
import static io.github.cspipeline.simulator.SimulatorTestSupport.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    useMainMethod = SpringBootTest.UseMainMethod.ALWAYS,
    properties = "simulator.registered-client-ids=" + SimulatorClient.CLIENT_ID)
class RegisteredClientIdsTest {

  @LocalServerPort int port;

  SimulatorClient simulator;

  @BeforeEach
  void freshSimulator() {
    simulator = new SimulatorClient(port);
    simulator.reset();
  }

  @Test
  void issues_tokens_without_a_code_to_a_registered_client_id() {
    assertThat(simulator.token(SENDER)).isNotBlank();
  }

  @Test
  void refuses_a_token_without_a_code_to_an_unregistered_client_id() {
    Response response =
        simulator.send(
            simulator
                .api(verificationPath(SENDER) + "/token")
                .setHeader("X-CS-ClientId", OTHER_CLIENT_ID)
                .POST(BodyPublishers.noBody()));
    Response status =
        simulator.send(
            simulator.api(verificationPath(SENDER)).setHeader("X-CS-ClientId", OTHER_CLIENT_ID));

    assertError(response, 403, 3002);
    assertThat(status.data().get("verificationMethods").values()).hasSize(1);
  }
}

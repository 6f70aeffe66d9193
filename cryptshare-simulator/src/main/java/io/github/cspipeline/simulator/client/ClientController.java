package io.github.cspipeline.simulator.client;

import io.github.cspipeline.simulator.api.ClientIdOptional;
import io.github.cspipeline.simulator.api.Envelope;
import io.github.cspipeline.simulator.api.Ids;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ClientController {

  /** Length of a generated client id; any 50–4000 alphanumerics are valid. */
  private static final int CLIENT_ID_LENGTH = 64;

  public record ClientId(String clientId) {}

  private final Ids ids;

  public ClientController(Ids ids) {
    this.ids = ids;
  }

  // [ours] The OpenAPI export lists X-CS-ClientId as required here too; asking for a client id
  // without having one is the point of this endpoint, so the simulator only checks it when sent.
  @ClientIdOptional
  @GetMapping("/api/clients")
  public Envelope<ClientId> newClientId() {
    return Envelope.of(new ClientId(ids.alphanumeric(CLIENT_ID_LENGTH)));
  }
}

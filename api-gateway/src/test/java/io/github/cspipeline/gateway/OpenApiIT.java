package io.github.cspipeline.gateway;

import static io.github.cspipeline.gateway.GatewayFixtures.KEY;
import static io.github.cspipeline.gateway.GatewayFixtures.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.model.WireFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The served OpenAPI document describes exactly the API of CONTRACT.md §2 (plus the event stream),
 * with every status the contract names and the ones the gateway adds (415, 422, 429).
 */
class OpenApiIT extends AbstractGatewayIT {

  @Test
  void the_document_lists_the_contract_paths_and_statuses() {
    var response = get(port, KEY, "/v3/api-docs");

    assertThat(response.statusCode()).isEqualTo(200);
    var doc = WireFormat.mapper().readTree(response.body());
    assertThat(names(doc.path("paths")))
        .containsExactlyInAnyOrder(
            "/api/v1/finalizations",
            "/api/v1/transfers/{trackingId}",
            "/api/v1/transfers/{trackingId}/events");
    var finalize = doc.path("paths").path("/api/v1/finalizations");
    assertThat(names(finalize)).containsExactly("post");
    assertThat(names(finalize.path("post").path("responses")))
        .containsExactlyInAnyOrder("202", "400", "401", "403", "409", "415", "422", "429", "503");
    var status = doc.path("paths").path("/api/v1/transfers/{trackingId}");
    assertThat(names(status)).containsExactly("get");
    assertThat(names(status.path("get").path("responses")))
        .containsExactlyInAnyOrder("200", "400", "401", "403", "404", "429");
    var events = doc.path("paths").path("/api/v1/transfers/{trackingId}/events");
    assertThat(names(events.path("get").path("responses")))
        .containsExactlyInAnyOrder("200", "400", "401", "403", "404", "429", "503");
    // Every error answer is described as what ProblemHandler writes: an RFC 9457 problem.
    for (var operation : List.of(finalize.path("post"), status.path("get"), events.path("get"))) {
      operation
          .path("responses")
          .properties()
          .forEach(
              answer -> {
                if (answer.getKey().charAt(0) >= '4') {
                  assertThat(
                          answer
                              .getValue()
                              .path("content")
                              .path("application/problem+json")
                              .path("schema")
                              .path("$ref")
                              .asString())
                      .as(answer.getKey())
                      .isEqualTo("#/components/schemas/ProblemDetail");
                  assertThat(names(answer.getValue().path("content"))).hasSize(1);
                }
              });
    }
    assertThat(names(doc.path("components").path("schemas")))
        .containsExactlyInAnyOrder(
            "FinalizationRequest",
            "FinalizationResponse",
            "ProblemDetail",
            "Recipient",
            "TransferError",
            "TransferView");
    assertThat(
            names(doc.path("components").path("schemas").path("ProblemDetail").path("properties")))
        .contains("type", "title", "status", "detail", "instance");
    assertThat(
            finalize
                .path("post")
                .path("parameters")
                .valueStream()
                .map(p -> p.path("name").asString())
                .toList())
        .containsExactlyInAnyOrder("Idempotency-Key", "X-CS-VerificationToken");
    var request = doc.path("components").path("schemas").path("FinalizationRequest");
    assertThat(names(request.path("properties")))
        .containsExactlyInAnyOrder("server", "sender", "trackingId");
    assertThat(request.path("required").valueStream().map(JsonNode::asString).toList())
        .containsExactlyInAnyOrder("sender", "trackingId");
    assertThat(
            doc.path("components").path("securitySchemes").path("bearer").path("scheme").asString())
        .isEqualTo("bearer");
  }

  private static List<String> names(JsonNode node) {
    var names = new ArrayList<String>();
    node.propertyNames().forEach(names::add);
    return names;
  }
}

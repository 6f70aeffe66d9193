package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.security.ApiKeyFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

@RestController
class FinalizationController {

  private final FinalizationService service;

  FinalizationController(FinalizationService service) {
    this.service = service;
  }

  @PostMapping(
      path = "/api/v1/finalizations",
      consumes = "application/json",
      produces = "application/json")
  ResponseEntity<FinalizationResponse> finalize(
      @Valid @RequestBody FinalizationRequest body,
      @RequestHeader(name = "X-CS-VerificationToken", required = false) @Nullable String token,
      HttpServletRequest request) {
    if (token != null) {
      // Pass-through tokens need encryption on Kafka; until that exists, refusing is the only
      // answer that keeps the token off the topic.
      throw new GatewayException(
          HttpStatus.BAD_REQUEST,
          "PASS_THROUGH_TOKEN_UNSUPPORTED",
          "X-CS-VerificationToken is not supported yet; configure the server's client id");
    }
    var result = service.accept(body, ApiKeyFilter.caller(request));
    var view = result.view();
    var location =
        UriComponentsBuilder.fromPath("/api/v1/transfers/{trackingId}")
            .queryParam("server", view.server())
            .buildAndExpand(view.trackingId())
            .toUri();
    return ResponseEntity.accepted()
        .location(location)
        .body(
            new FinalizationResponse(
                view.server(), view.sender(), view.trackingId(), view.state(), view.updatedAt()));
  }
}

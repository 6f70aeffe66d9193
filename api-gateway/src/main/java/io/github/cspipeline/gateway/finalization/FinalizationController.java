package io.github.cspipeline.gateway.finalization;

import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.error.Outcomes;
import io.github.cspipeline.gateway.security.AuthenticationFilter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.util.regex.Pattern;
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

  /** Printable ASCII without spaces; long enough for a UUID or a hash, short enough to store. */
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

  /** Cryptshare's verification tokens are printable ASCII; anything else is not one. */
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]{1,4096}");

  private final FinalizationService service;

  FinalizationController(FinalizationService service) {
    this.service = service;
  }

  @Operation(
      summary = "Finalize a Cryptshare transfer session",
      description =
          "Emits one finalize command per (server, trackingId). A repeat emits nothing and answers"
              + " with the current state.")
  @ApiResponse(
      responseCode = "202",
      description = "Accepted (or a repeat of an accepted request)",
      headers = @Header(name = "Location", description = "The transfer's status"))
  @ApiResponse(
      responseCode = "400",
      description = "Invalid body, field or header; unknown server; body over 16 KiB")
  @ApiResponse(responseCode = "401", description = "No or bad credential")
  @ApiResponse(
      responseCode = "403",
      description = "The credential may not use this server or act for this sender")
  @ApiResponse(
      responseCode = "409",
      description = "The trackingId was submitted for another sender")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(
      responseCode = "422",
      description = "The Idempotency-Key was used for a different request")
  @ApiResponse(
      responseCode = "429",
      description = "Rate limit of the credential exceeded; see Retry-After")
  @ApiResponse(
      responseCode = "503",
      description = "Kafka cannot take the command now; see Retry-After")
  @PostMapping(
      path = "/api/v1/finalizations",
      consumes = "application/json",
      produces = "application/json")
  ResponseEntity<FinalizationResponse> finalize(
      @Valid @RequestBody FinalizationRequest body,
      @Parameter(description = "Same key and same body: same answer; different body: 422")
          @RequestHeader(name = "Idempotency-Key", required = false)
          @Nullable String idempotencyKey,
      @Parameter(description = "The token that created the session; sent on encrypted")
          @RequestHeader(name = "X-CS-VerificationToken", required = false)
          @Nullable String token,
      HttpServletRequest request) {
    if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      throw new GatewayException(
          HttpStatus.BAD_REQUEST,
          "INVALID_IDEMPOTENCY_KEY",
          "Idempotency-Key must be 1-255 printable ASCII characters");
    }
    if (token != null && !TOKEN.matcher(token).matches()) {
      // The message never repeats the token.
      throw new GatewayException(
          HttpStatus.BAD_REQUEST,
          "INVALID_VERIFICATION_TOKEN",
          "X-CS-VerificationToken must be 1-4096 printable ASCII characters");
    }
    var result = service.accept(body, AuthenticationFilter.caller(request), idempotencyKey, token);
    Outcomes.set(request, result.created() ? "accepted" : "repeated");
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

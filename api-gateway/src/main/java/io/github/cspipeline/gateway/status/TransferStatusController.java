package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.error.Outcomes;
import io.github.cspipeline.gateway.security.AuthenticationFilter;
import io.github.cspipeline.model.command.FinalizeCommandRules;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
class TransferStatusController {

  private final TransferViews views;
  private final EventStreams streams;
  private final GatewayProperties properties;

  TransferStatusController(
      TransferViews views, EventStreams streams, GatewayProperties properties) {
    this.views = views;
    this.streams = streams;
    this.properties = properties;
  }

  @Operation(summary = "The transfer's current state, from any gateway instance")
  @ApiResponse(responseCode = "200", description = "The transfer's view")
  @TransferLookupResponses
  @ApiResponse(
      responseCode = "429",
      description = "Rate limit of the credential exceeded; see Retry-After")
  @GetMapping(path = "/api/v1/transfers/{trackingId}", produces = "application/json")
  TransferView get(
      @PathVariable String trackingId,
      @RequestParam(defaultValue = "default") String server,
      HttpServletRequest request) {
    var view = visible(trackingId, server, request);
    Outcomes.set(request, "ok");
    return view;
  }

  @Operation(
      summary = "Live updates of one transfer as Server-Sent Events",
      description =
          "Sends the current view as a 'transfer' event, then every change, until a terminal state"
              + " or the stream's timeout. A stream silent for the heartbeat interval (15 s) sends"
              + " a comment line. Each credential may hold a bounded number of open streams, and"
              + " each instance in all.")
  @ApiResponse(
      responseCode = "200",
      description = "An event stream of 'transfer' events, each a view as JSON",
      content = @Content(mediaType = "text/event-stream"))
  @TransferLookupResponses
  @ApiResponse(
      responseCode = "429",
      description =
          "Rate limit of the credential exceeded, or the credential holds the most open streams it"
              + " may (TOO_MANY_STREAMS); see Retry-After")
  @ApiResponse(
      responseCode = "503",
      description = "This instance has no stream free (STREAMS_EXHAUSTED); see Retry-After")
  @GetMapping(
      path = "/api/v1/transfers/{trackingId}/events",
      produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter events(
      @PathVariable String trackingId,
      @RequestParam(defaultValue = "default") String server,
      HttpServletRequest request) {
    visible(trackingId, server, request);
    var emitter = streams.open(AuthenticationFilter.caller(request).name(), server, trackingId);
    Outcomes.set(request, "streaming");
    return emitter;
  }

  /** The view, if it exists and the caller may see it; the same checks for both endpoints. */
  private TransferView visible(String trackingId, String server, HttpServletRequest request) {
    // The same rules as for a finalize request (and the worker's), so that every transfer the
    // gateway accepts can be looked up, and nothing else.
    if (!FinalizeCommandRules.TRACKING_ID.matcher(trackingId).matches()
        || !FinalizeCommandRules.SERVER.matcher(server).matches()) {
      throw new GatewayException(
          HttpStatus.BAD_REQUEST, "INVALID_PARAMETER", "Invalid path or query parameter");
    }
    if (!properties.servers().containsKey(server)) {
      throw new GatewayException(
          HttpStatus.BAD_REQUEST, "UNKNOWN_SERVER", "No Cryptshare server '" + server + "'");
    }
    var caller = AuthenticationFilter.caller(request);
    if (!caller.mayUseServer(server)) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SERVER", "This credential may not use server " + server);
    }
    var view =
        views
            .find(server, trackingId)
            .orElseThrow(
                () ->
                    new GatewayException(
                        HttpStatus.NOT_FOUND,
                        "TRANSFER_NOT_FOUND",
                        "No transfer " + trackingId + " on server " + server));
    if (!caller.mayActFor(view.sender())) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SENDER", "This credential may not act for this sender");
    }
    return view;
  }
}

package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.error.Outcomes;
import io.github.cspipeline.gateway.security.AuthenticationFilter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Pattern;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
class TransferStatusController {

  private static final Logger log = LoggerFactory.getLogger(TransferStatusController.class);

  private final TransferViews views;
  private final GatewayProperties properties;
  private final Clock clock;

  TransferStatusController(TransferViews views, GatewayProperties properties, Clock clock) {
    this.views = views;
    this.properties = properties;
    this.clock = clock;
  }

  @Operation(summary = "The transfer's current state, from any gateway instance")
  @ApiResponse(responseCode = "200", description = "The transfer's view")
  @ApiResponse(
      responseCode = "400",
      description = "Invalid trackingId or server; unknown server",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "401",
      description = "No or bad credential",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "403",
      description = "The credential may not use this server or act for the transfer's sender",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "404",
      description = "Unknown transfer",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "429",
      description = "Rate limit of the credential exceeded; see Retry-After",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @GetMapping(path = "/api/v1/transfers/{trackingId}", produces = "application/json")
  TransferView get(
      @PathVariable @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String trackingId,
      @RequestParam(defaultValue = "default") @Pattern(regexp = "[A-Za-z0-9_.-]{1,64}")
          String server,
      HttpServletRequest request) {
    var view = visible(trackingId, server, request);
    Outcomes.set(request, "ok");
    return view;
  }

  @Operation(
      summary = "Live updates of one transfer as Server-Sent Events",
      description =
          "Sends the current view as a 'transfer' event, then every change, until a terminal state"
              + " or the stream's timeout.")
  @ApiResponse(
      responseCode = "200",
      description = "An event stream of 'transfer' events, each a view as JSON",
      content = @Content(mediaType = "text/event-stream"))
  @ApiResponse(
      responseCode = "400",
      description = "Invalid trackingId or server; unknown server",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "401",
      description = "No or bad credential",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "403",
      description = "The credential may not use this server or act for the transfer's sender",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "404",
      description = "Unknown transfer",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @ApiResponse(
      responseCode = "429",
      description = "Rate limit of the credential exceeded; see Retry-After",
      content =
          @Content(
              mediaType = "application/problem+json",
              schema = @Schema(implementation = ProblemDetail.class)))
  @GetMapping(
      path = "/api/v1/transfers/{trackingId}/events",
      produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter events(
      @PathVariable @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String trackingId,
      @RequestParam(defaultValue = "default") @Pattern(regexp = "[A-Za-z0-9_.-]{1,64}")
          String server,
      HttpServletRequest request) {
    visible(trackingId, server, request);
    Outcomes.set(request, "streaming");
    var timeout = properties.gateway().sseTimeout();
    var emitter = new SseEmitter(timeout.toMillis());
    var changes = new LinkedBlockingQueue<TransferView>();
    var subscription = views.watch(server, trackingId, changes::offer);
    var done = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable end =
        () -> {
          done.set(true);
          subscription.close();
        };
    emitter.onCompletion(end);
    emitter.onTimeout(end);
    emitter.onError(e -> end.run());
    // Subscribed first, then read: a change in between is in the queue, not lost.
    var first = views.find(server, trackingId).orElseThrow();
    Thread.ofVirtual()
        .name("sse-" + trackingId)
        .start(() -> stream(emitter, first, changes, done, clock.instant().plus(timeout)));
    return emitter;
  }

  private void stream(
      SseEmitter emitter,
      TransferView first,
      LinkedBlockingQueue<TransferView> changes,
      java.util.concurrent.atomic.AtomicBoolean done,
      Instant until) {
    var last = first;
    try {
      send(emitter, first);
      while (!last.isTerminal() && !done.get()) {
        long waitMs = Duration.between(clock.instant(), until).toMillis();
        if (waitMs <= 0) {
          break;
        }
        var next = changes.poll(Math.min(waitMs, 1_000), TimeUnit.MILLISECONDS);
        if (next != null && !next.equals(last)) {
          send(emitter, next);
          last = next;
        }
      }
      emitter.complete();
    } catch (IOException | IllegalStateException e) {
      // The client went away; nothing to tell anyone.
      log.debug("Event stream of {} ended: {}", first.trackingId(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      emitter.complete();
    }
  }

  private static void send(SseEmitter emitter, TransferView view) throws IOException {
    emitter.send(
        SseEmitter.event()
            .name("transfer")
            .id(view.state())
            .data(view, MediaType.APPLICATION_JSON));
  }

  /** The view, if it exists and the caller may see it; the same checks for both endpoints. */
  private TransferView visible(String trackingId, String server, HttpServletRequest request) {
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

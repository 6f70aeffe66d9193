package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.gateway.security.ApiKeyFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
class TransferStatusController {

  private final TransferViews views;

  TransferStatusController(TransferViews views) {
    this.views = views;
  }

  @GetMapping(path = "/api/v1/transfers/{trackingId}", produces = "application/json")
  TransferView get(
      @PathVariable @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String trackingId,
      @RequestParam(defaultValue = "default") @Pattern(regexp = "[A-Za-z0-9_.-]{1,64}")
          String server,
      HttpServletRequest request) {
    var caller = ApiKeyFilter.caller(request);
    if (!caller.mayUseServer(server)) {
      throw new GatewayException(
          HttpStatus.FORBIDDEN, "FORBIDDEN_SERVER", "This API key may not use server " + server);
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
          HttpStatus.FORBIDDEN, "FORBIDDEN_SENDER", "This API key may not act for this sender");
    }
    return view;
  }
}

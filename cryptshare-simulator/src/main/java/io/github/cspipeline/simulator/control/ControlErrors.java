package io.github.cspipeline.simulator.control;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** The control API's answer to a request it refuses: 400 with the reason. */
final class ControlErrors {

  private ControlErrors() {}

  static ResponseStatusException badRequest(@Nullable String message) {
    return new ResponseStatusException(HttpStatus.BAD_REQUEST, message);
  }
}

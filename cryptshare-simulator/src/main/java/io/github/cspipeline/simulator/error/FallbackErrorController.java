package io.github.cspipeline.simulator.error;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's error page for errors that happen outside Spring MVC (e.g. in a filter or
 * the container), so even those keep the Cryptshare envelope under {@code /api}.
 */
@RestController
public class FallbackErrorController implements ErrorController {

  @RequestMapping("${server.error.path:/error}")
  public ResponseEntity<Object> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatusCode status = HttpStatusCode.valueOf(code instanceof Integer value ? value : 500);
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    if (uri instanceof String path && ErrorHandler.isApiPath(path)) {
      HttpStatus known = HttpStatus.resolve(status.value());
      String message = known == null ? "Error." : known.getReasonPhrase() + ".";
      return ErrorHandler.apiError(status, errorCode(status), message);
    }
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(ProblemDetail.forStatus(status));
  }

  private static int errorCode(HttpStatusCode status) {
    if (status.value() == 404) {
      return 1006;
    }
    return status.is5xxServerError() ? 5000 : 1004;
  }
}

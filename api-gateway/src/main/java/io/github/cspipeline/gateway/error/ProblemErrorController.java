package io.github.cspipeline.gateway.error;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers what the servlet container rejects before Spring MVC sees it (a malformed URL, an
 * exception in a filter) with problem+json too, instead of Boot's default error body.
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:/error}")
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    var code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    var status =
        HttpStatus.resolve(
            code instanceof Integer i ? i : HttpStatus.INTERNAL_SERVER_ERROR.value());
    if (status == null || !status.isError()) {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
    }
    return Problems.answer(request, status, status.name(), status.getReasonPhrase(), null);
  }
}

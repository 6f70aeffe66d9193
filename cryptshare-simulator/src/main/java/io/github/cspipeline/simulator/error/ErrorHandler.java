package io.github.cspipeline.simulator.error;

import io.github.cspipeline.simulator.api.ApiException;
import io.github.cspipeline.simulator.api.ErrorBody;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * One place for every error: under {@code /api} the Cryptshare error envelope (also for unknown
 * routes and wrong methods, never Spring's default body), elsewhere RFC 9457 problem details.
 */
@RestControllerAdvice
public class ErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);

  @ExceptionHandler(Exception.class)
  public ResponseEntity<Object> handle(Exception exception, HttpServletRequest request) {
    if (isApi(request)) {
      return api(exception);
    }
    return problem(exception);
  }

  static boolean isApi(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return isApiPath(path);
  }

  static boolean isApiPath(String path) {
    return path.equals("/api") || path.startsWith("/api/");
  }

  static ResponseEntity<Object> apiError(HttpStatusCode status, int code, String message) {
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_JSON)
        .body(new ErrorBody(code, message));
  }

  private static ResponseEntity<Object> api(Exception exception) {
    return switch (exception) {
      case ApiException e -> apiError(e.status(), e.errorCode(), e.getMessage());
      case NoResourceFoundException e -> notFound();
      case NoHandlerFoundException e -> notFound();
      case HttpRequestMethodNotSupportedException e ->
          ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
              .headers(e.getHeaders())
              .contentType(MediaType.APPLICATION_JSON)
              .body(new ErrorBody(1006, "Specified endpoint does not exist for this method."));
      case HttpMediaTypeNotSupportedException e ->
          apiError(e.getStatusCode(), 1004, "Unsupported content type.");
      case HttpMessageNotReadableException e ->
          apiError(HttpStatus.BAD_REQUEST, 1004, "The request body is not readable.");
      case MissingServletRequestParameterException e ->
          apiError(
              HttpStatus.BAD_REQUEST,
              1002,
              "Missing required request parameter " + e.getParameterName() + ".");
      case MethodArgumentTypeMismatchException e ->
          apiError(HttpStatus.BAD_REQUEST, 1004, "Invalid value of parameter " + e.getName() + ".");
      case ErrorResponse e when e.getStatusCode().is4xxClientError() ->
          apiError(e.getStatusCode(), 1004, "Invalid request.");
      default -> {
        log.error("Unhandled error on the Cryptshare API; answering 500/5000", exception);
        yield apiError(HttpStatus.INTERNAL_SERVER_ERROR, 5000, "Unhandled server error.");
      }
    };
  }

  private static ResponseEntity<Object> notFound() {
    return apiError(HttpStatus.NOT_FOUND, 1006, "Specified endpoint does not exist.");
  }

  private static ResponseEntity<Object> problem(Exception exception) {
    HttpStatusCode status;
    String detail;
    HttpHeaders headers = new HttpHeaders();
    if (exception instanceof ErrorResponse errorResponse) {
      status = errorResponse.getStatusCode();
      detail = errorResponse.getBody().getDetail();
      headers.addAll(errorResponse.getHeaders());
    } else if (exception instanceof HttpMessageNotReadableException) {
      status = HttpStatus.BAD_REQUEST;
      detail = "The request body is not readable JSON of the expected shape.";
    } else {
      log.error("Unhandled error on the control API; answering 500", exception);
      status = HttpStatus.INTERNAL_SERVER_ERROR;
      detail = "Unhandled server error.";
    }
    return ResponseEntity.status(status)
        .headers(headers)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(ProblemDetail.forStatusAndDetail(status, detail));
  }
}

package io.github.cspipeline.gateway.error;

import jakarta.servlet.http.HttpServletRequest;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The one place where errors become problem+json answers, each with a stable {@code code}. Every
 * input the gateway refuses is a 4xx; a 5xx means a bug or Kafka.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(GatewayException.class)
  ResponseEntity<ProblemDetail> gatewayException(GatewayException e, HttpServletRequest request) {
    ResponseEntity<ProblemDetail> answer =
        Problems.answer(request, e.status(), e.code(), e.getMessage(), e.retryAfter());
    if (e instanceof InvalidFieldsException invalid && answer.getBody() != null) {
      answer.getBody().setProperty("fields", invalid.fields());
    }
    return answer;
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
    log.error("Unexpected error while handling a request; answering 500", e);
    return Problems.answer(
        request, HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "Unexpected error", null);
  }

  /** Overridden, not left to the default, which logs each refused method at WARN. */
  @Override
  protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(
      HttpRequestMethodNotSupportedException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    // The framework's headers carry Allow.
    return withHeaders(
        answer(
            request,
            HttpStatus.METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method " + e.getMethod() + " is not allowed here"),
        headers);
  }

  /**
   * Every other exception Spring MVC handles itself ends here: the ones a client causes get their
   * own code, every other one keeps its status and gets a stable code too.
   */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception e,
      @Nullable Object body,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    return switch (e) {
      case MethodArgumentNotValidException invalid -> invalidFields(invalid, request);
      case HandlerMethodValidationException invalid ->
          answer(
              request,
              HttpStatus.BAD_REQUEST,
              "INVALID_PARAMETER",
              "Invalid path or query parameter");
      case HttpMessageNotReadableException unreadable -> notReadable(unreadable, request);
      case HttpMediaTypeNotSupportedException unsupported ->
          answer(
              request,
              HttpStatus.UNSUPPORTED_MEDIA_TYPE,
              "UNSUPPORTED_MEDIA_TYPE",
              "Send the body as application/json");
      case HttpMediaTypeNotAcceptableException notAcceptable ->
          answer(
              request,
              HttpStatus.NOT_ACCEPTABLE,
              "NOT_ACCEPTABLE",
              "This resource answers application/json (events: text/event-stream)");
      case NoResourceFoundException notFound ->
          answer(request, HttpStatus.NOT_FOUND, "NOT_FOUND", "No such resource");
      default -> {
        var known = HttpStatus.resolve(status.value());
        var code = known == null ? "HTTP_" + status.value() : known.name();
        yield withHeaders(
            answer(request, status, code, known == null ? "Error" : known.getReasonPhrase()),
            headers);
      }
    };
  }

  private static ResponseEntity<Object> invalidFields(
      MethodArgumentNotValidException e, WebRequest request) {
    var fields =
        e.getBindingResult().getFieldErrors().stream()
            .collect(
                Collectors.toMap(
                    FieldError::getField,
                    f -> String.valueOf(f.getDefaultMessage()),
                    (a, b) -> a + "; " + b,
                    TreeMap::new));
    ResponseEntity<Object> answer =
        answer(
            request,
            HttpStatus.BAD_REQUEST,
            "INVALID_FIELD",
            "Invalid field(s): " + fields.keySet());
    ((ProblemDetail) answer.getBody()).setProperty("fields", fields);
    return answer;
  }

  private static ResponseEntity<Object> notReadable(
      HttpMessageNotReadableException e, WebRequest request) {
    var cause = e.getCause();
    if (cause instanceof UnrecognizedPropertyException unknown) {
      // Unknown fields are refused: a misspelt optional field must not be silently dropped.
      return answer(
          request,
          HttpStatus.BAD_REQUEST,
          "UNKNOWN_FIELD",
          "Unknown field '" + unknown.getPropertyName() + "'");
    }
    if (cause instanceof MismatchedInputException mismatch
        && !(cause instanceof StreamReadException)
        && !mismatch.getPath().isEmpty()) {
      return answer(
          request,
          HttpStatus.BAD_REQUEST,
          "INVALID_FIELD",
          "Field '" + mismatch.getPathReference() + "' has the wrong type");
    }
    return answer(
        request,
        HttpStatus.BAD_REQUEST,
        "MALFORMED_BODY",
        "The request body is not one JSON object of the expected shape");
  }

  /** The answer with the headers the framework chose for this exception added. */
  private static ResponseEntity<Object> withHeaders(
      ResponseEntity<Object> answer, HttpHeaders headers) {
    return ResponseEntity.status(answer.getStatusCode())
        .headers(answer.getHeaders())
        .headers(headers)
        .body(answer.getBody());
  }

  private static ResponseEntity<Object> answer(
      WebRequest request, HttpStatusCode status, String code, String detail) {
    var servletRequest = ((NativeWebRequest) request).getNativeRequest(HttpServletRequest.class);
    return Problems.answer(servletRequest, status, code, detail, null);
  }
}

package io.github.cspipeline.gateway.error;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error report, for what it refuses before any servlet runs (a malformed or ambiguous
 * URL), as problem+json instead of HTML.
 */
public class ProblemReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || response.isCommitted()) {
      return;
    }
    var known = HttpStatus.resolve(status);
    var code = known == null ? "HTTP_" + status : known.name();
    var reason = known == null ? "Error" : known.getReasonPhrase();
    var body =
        "{\"type\":\"urn:cryptshare-pipeline:problem:%s\",\"title\":\"%s\",\"status\":%d,\"detail\":\"%s\",\"code\":\"%s\"}"
            .formatted(code, reason, status, reason, code);
    try {
      response.setContentType("application/problem+json");
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      response.getWriter().write(body);
      response.finishResponse();
    } catch (IOException | IllegalStateException e) {
      // The connection is gone or the response was already started; nothing more to say.
    }
  }
}

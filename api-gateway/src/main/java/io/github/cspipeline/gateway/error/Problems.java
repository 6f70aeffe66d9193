package io.github.cspipeline.gateway.error;

import java.net.URI;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** Builds the gateway's RFC 9457 problem bodies: a stable {@code code} and a matching type. */
public final class Problems {

  private Problems() {}

  public static ProblemDetail of(HttpStatusCode status, String code, String detail) {
    var problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create("urn:cryptshare-pipeline:problem:" + code));
    problem.setProperty("code", code);
    return problem;
  }
}

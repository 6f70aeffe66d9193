package io.github.cspipeline.cryptshare;

import java.io.IOException;
import org.apache.hc.core5.http.ClassicHttpRequest;

/**
 * Sees every request to a Cryptshare server on its way out: the trace context ({@code
 * tracing.CryptshareRequestTracing}), the poller's rate cap. {@link #NONE} sends requests as they
 * are.
 */
@FunctionalInterface
public interface RequestInterceptor {

  RequestInterceptor NONE = (request, exchange) -> exchange.send(request);

  /** Sends {@code request} through {@code exchange}, or fails it. */
  HttpAnswer intercept(ClassicHttpRequest request, Exchange exchange) throws IOException;

  /** This interceptor, then {@code next}. */
  default RequestInterceptor then(RequestInterceptor next) {
    return (request, exchange) -> intercept(request, r -> next.intercept(r, exchange));
  }

  /** One HTTP exchange: the request out, the whole answer in. */
  @FunctionalInterface
  interface Exchange {
    HttpAnswer send(ClassicHttpRequest request) throws IOException;
  }
}

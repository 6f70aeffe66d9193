package io.github.cspipeline.gateway.security;

import io.github.cspipeline.gateway.config.GatewayProperties;
import io.github.cspipeline.gateway.error.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses bodies over the limit before anything parses them: by {@code Content-Length} at once, and
 * for chunked bodies by reading at most one byte past the limit. Bodies within the limit are small,
 * so they are buffered and handed on.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 300)
class BodyLimitFilter extends OncePerRequestFilter {

  private final long limit;
  private final JsonMapper json;

  BodyLimitFilter(GatewayProperties properties, JsonMapper json) {
    this.limit = properties.gateway().maxBodySize().toBytes();
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    boolean chunked = "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
    if (declared <= 0 && !chunked) {
      chain.doFilter(request, response);
      return;
    }
    if (declared > limit) {
      tooLarge(request, response);
      return;
    }
    var body = request.getInputStream().readNBytes((int) limit + 1);
    if (body.length > limit) {
      tooLarge(request, response);
      return;
    }
    chain.doFilter(new BufferedRequest(request, body), response);
  }

  private void tooLarge(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    // The contract answers 400 for a body over the limit (ADR 017), with its own code.
    Problems.write(
        json,
        request,
        response,
        HttpStatus.BAD_REQUEST,
        "BODY_TOO_LARGE",
        "The request body is larger than " + limit + " bytes",
        null);
  }

  private static final class BufferedRequest extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedRequest(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      var in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("The body is buffered; read it blocking");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      var encoding = getCharacterEncoding();
      return new BufferedReader(
          new InputStreamReader(
              getInputStream(),
              encoding == null
                  ? StandardCharsets.UTF_8
                  : java.nio.charset.Charset.forName(encoding)));
    }
  }
}

package io.github.cspipeline.simulator.fault;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * A response for a request whose answer will be lost: the handler runs as usual, but nothing it
 * writes reaches the connection and nothing commits the real response, so the connection can be
 * dropped before a single byte went out.
 */
final class DiscardingResponseWrapper extends HttpServletResponseWrapper {

  private final ServletOutputStream sink =
      new ServletOutputStream() {
        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          // Writes never block, so there is nothing to listen for.
        }

        @Override
        public void write(int b) {
          // discarded
        }

        @Override
        public void write(byte[] b, int off, int len) {
          // discarded
        }
      };

  DiscardingResponseWrapper(HttpServletResponse response) {
    super(response);
  }

  @Override
  public ServletOutputStream getOutputStream() {
    return sink;
  }

  @Override
  public PrintWriter getWriter() {
    return new PrintWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8));
  }

  @Override
  public void flushBuffer() {
    // Flushing would commit the real response.
  }

  @Override
  public void sendError(int sc) {
    setStatus(sc);
  }

  @Override
  public void sendError(int sc, String msg) {
    setStatus(sc);
  }

  @Override
  public void sendRedirect(String location) {
    setStatus(SC_FOUND);
  }

  @Override
  public boolean isCommitted() {
    return false;
  }
}

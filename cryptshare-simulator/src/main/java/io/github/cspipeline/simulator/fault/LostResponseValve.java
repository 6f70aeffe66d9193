package io.github.cspipeline.simulator.fault;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Drops the connection of a request marked by {@link FaultFilter}, after the request took effect
 * and before any response byte went out. An engine valve runs outside the servlet and the error
 * report valves, so nothing writes the response after it: suspending the response stops Tomcat's
 * own finishing writes, and {@code CLOSE_NOW} closes the socket.
 */
final class LostResponseValve extends ValveBase {

  private static final String DROP = LostResponseValve.class.getName() + ".drop";

  LostResponseValve() {
    super(true);
  }

  static void markForDrop(HttpServletRequest request) {
    request.setAttribute(DROP, Boolean.TRUE);
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    getNext().invoke(request, response);
    if (request.getAttribute(DROP) != null) {
      response.setSuspended(true);
      request.getCoyoteRequest().action(ActionCode.CLOSE_NOW, null);
    }
  }
}

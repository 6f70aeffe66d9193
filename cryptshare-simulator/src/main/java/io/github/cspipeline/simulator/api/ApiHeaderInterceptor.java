package io.github.cspipeline.simulator.api;

import io.github.cspipeline.simulator.config.SimulatorProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Checks the common {@code X-CS-*} headers of every Cryptshare API endpoint and leaves a {@link
 * Caller} in the request. Each header may also come as a query parameter.
 */
public class ApiHeaderInterceptor implements HandlerInterceptor {

  public static final String MAJOR_VERSION = "X-CS-MajorApiVersion";
  public static final String MINIMUM_MINOR_VERSION = "X-CS-MinimumMinorApiVersion";
  public static final String CLIENT_ID = "X-CS-ClientId";
  public static final String VERIFICATION_TOKEN = "X-CS-VerificationToken";
  public static final String PRODUCT_KEY = "X-CS-ProductKey";

  private static final Pattern CLIENT_ID_PATTERN = Pattern.compile("[A-Za-z0-9]{50,4000}");
  private static final int MAJOR = 1;
  private static final String DEFAULT_PRODUCT_KEY = "api.rest";

  private final int minorVersion;

  public ApiHeaderInterceptor(SimulatorProperties properties) {
    this.minorVersion = properties.apiMinorVersion();
  }

  public static boolean isValidClientId(String clientId) {
    return CLIENT_ID_PATTERN.matcher(clientId).matches();
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    // Unknown endpoints have no HandlerMethod; they answer 404/1006 whatever the headers say.
    if (!(handler instanceof HandlerMethod method)) {
      return true;
    }
    request.setAttribute(
        Caller.ATTRIBUTE, caller(request, method.hasMethodAnnotation(ClientIdOptional.class)));
    return true;
  }

  /**
   * Checks the headers of a request to an endpoint and returns its caller, also for endpoints
   * served without a handler method ({@code TransferFastLane}).
   *
   * @param clientIdOptional whether the endpoint does without a client id
   * @throws ApiException when a header is missing or not valid
   */
  public Caller caller(HttpServletRequest request, boolean clientIdOptional) {
    int major = requireInt(request, MAJOR_VERSION, "major-api-version");
    if (major != MAJOR) {
      throw ApiException.versionNotSupported();
    }
    int minimumMinor = requireInt(request, MINIMUM_MINOR_VERSION, "minimum-minor-api-version");
    if (minimumMinor > minorVersion) {
      throw ApiException.versionNotSupported();
    }
    String productKey = value(request, PRODUCT_KEY, "product-key");
    if (productKey != null && !productKey.equals(DEFAULT_PRODUCT_KEY)) {
      throw ApiException.invalid("header " + PRODUCT_KEY);
    }
    String clientId = value(request, CLIENT_ID, "client-id");
    if (clientId == null) {
      if (!clientIdOptional) {
        throw ApiException.missing("header " + CLIENT_ID);
      }
    } else if (!isValidClientId(clientId)) {
      throw ApiException.invalid("header " + CLIENT_ID);
    }
    return new Caller(clientId, value(request, VERIFICATION_TOKEN, "verification-token"));
  }

  private static int requireInt(HttpServletRequest request, String header, String parameter) {
    String value = value(request, header, parameter);
    if (value == null) {
      throw ApiException.missing("header " + header);
    }
    try {
      int number = Integer.parseInt(value.trim());
      if (number < 0) {
        throw ApiException.invalid("header " + header);
      }
      return number;
    } catch (NumberFormatException e) {
      throw ApiException.invalid("header " + header);
    }
  }

  private static @Nullable String value(
      HttpServletRequest request, String header, String parameter) {
    String value = request.getHeader(header);
    if (value == null) {
      value = request.getParameter(parameter);
    }
    return value == null || value.isEmpty() ? null : value;
  }
}

package io.github.cspipeline.cryptshare;

import java.util.function.Supplier;

/**
 * Wraps every HTTP request a {@link CryptshareClient} sends to its server, so that an application
 * can add a rate limit, a bulkhead or a circuit breaker without touching HTTP itself. The default
 * ({@link #NONE}) sends at once.
 */
public interface CallGuard {

  /** Sends every request at once. */
  CallGuard NONE =
      new CallGuard() {
        @Override
        public <T> T call(Supplier<T> request) {
          return request.get();
        }
      };

  /**
   * Sends the request, or refuses to.
   *
   * @param request sends the request; returns the expected answer or throws a {@link
   *     CryptshareException}
   * @throws CryptshareException.Unreachable the guard did not send the request (its cause says
   *     why); or whatever {@code request} throws
   */
  <T> T call(Supplier<T> request);
}

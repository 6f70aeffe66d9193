package io.github.cspipeline.testkit;

import io.github.cspipeline.testkit.StubCryptshare.Answer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@link StubCryptshare}'s scripts by method and path pattern: the newest script for a request
 * answers it, each in turn, its last answer repeating.
 */
final class Routes {

  private record Route(String method, Pattern path, Deque<Answer> script) {
    boolean matches(String method, String path) {
      return this.method.equals(method) && this.path.matcher(path).matches();
    }

    Answer next() {
      synchronized (script) {
        return script.size() > 1 ? script.poll() : script.peek();
      }
    }
  }

  private final List<Route> routes = new CopyOnWriteArrayList<>();

  /** Scripts {@code method} on {@code path}, replacing a script of the same method and pattern. */
  void script(String method, Pattern path, Answer... script) {
    if (script.length == 0) {
      throw new IllegalArgumentException("a script needs at least one answer");
    }
    var key = path.pattern();
    routes.removeIf(route -> route.method().equals(method) && route.path().pattern().equals(key));
    routes.add(new Route(method, path, new ArrayDeque<>(List.of(script))));
  }

  /** The next answer of the newest script for the request; null when none matches. */
  @Nullable Answer next(String method, String path) {
    for (var route : routes.reversed()) {
      if (route.matches(method, path)) {
        return route.next();
      }
    }
    return null;
  }
}

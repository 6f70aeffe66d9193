package io.github.cspipeline.poller.it;

/** Closing what a test class started. */
final class Closing {

  private Closing() {}

  /** Closes each of them in order, null ones skipped; a failure does not keep the rest open. */
  static void quietly(AutoCloseable... closeables) {
    for (AutoCloseable closeable : closeables) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // Closing the rest matters more.
      }
    }
  }
}

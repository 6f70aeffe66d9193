package io.github.cspipeline.worker.finalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class WorkerShutdownTest {

  final WorkerShutdown shutdown = new WorkerShutdown();

  @Test
  void a_short_pause_simply_passes() throws InterruptedException {
    shutdown.start();

    shutdown.pause(Duration.ofMillis(1));

    assertThat(shutdown.isStopping()).isFalse();
  }

  @Test
  void stopping_ends_a_long_pause_at_once() throws Exception {
    shutdown.start();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var pausing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  shutdown.pause(Duration.ofHours(1));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              },
              executor);
      await().during(Duration.ofMillis(100)).until(() -> !pausing.isDone());

      shutdown.stop();

      assertThatThrownBy(pausing::get)
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseInstanceOf(InterruptedException.class);
    }
    assertThat(shutdown.isStopping()).isTrue();
    assertThat(shutdown.isRunning()).isFalse();
  }

  @Test
  void it_stops_before_the_listener_containers() {
    assertThat(shutdown.getPhase())
        .isGreaterThan(
            org.springframework.kafka.listener.AbstractMessageListenerContainer.DEFAULT_PHASE);
  }
}

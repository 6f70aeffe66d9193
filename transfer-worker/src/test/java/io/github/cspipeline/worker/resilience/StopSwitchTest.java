package io.github.cspipeline.worker.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StopSwitchTest {

  @Test
  void a_stop_interrupts_a_waiting_thread_at_once() throws Exception {
    var stopSwitch = new StopSwitch();
    var waiting = new CountDownLatch(1);
    var interrupted = new AtomicBoolean();
    var thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  stopSwitch.bind();
                  waiting.countDown();
                  try {
                    new CountDownLatch(1).await(1, TimeUnit.MINUTES);
                  } catch (InterruptedException e) {
                    interrupted.set(true);
                  } finally {
                    stopSwitch.ended();
                  }
                });
    waiting.await();

    stopSwitch.stop();

    assertThat(stopSwitch.awaitEnd(Duration.ofSeconds(10))).isTrue();
    assertThat(interrupted).isTrue();
    thread.join();
  }

  @Test
  void a_stop_never_interrupts_a_critical_section_and_no_new_one_starts_after_it()
      throws Exception {
    var stopSwitch = new StopSwitch();
    var inSection = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var interruptedInside = new AtomicBoolean();
    var secondEntered = new AtomicBoolean(true);
    Thread.ofVirtual()
        .start(
            () -> {
              stopSwitch.bind();
              try {
                assertThat(stopSwitch.enterCritical()).isTrue();
                inSection.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  interruptedInside.set(true);
                }
                stopSwitch.exitCritical();
                secondEntered.set(stopSwitch.enterCritical());
              } finally {
                stopSwitch.ended();
              }
            });
    inSection.await();

    stopSwitch.stop();
    assertThat(stopSwitch.hasEnded()).isFalse();
    release.countDown();

    assertThat(stopSwitch.awaitEnd(Duration.ofSeconds(10))).isTrue();
    assertThat(interruptedInside).isFalse();
    assertThat(secondEntered).isFalse();
  }
}

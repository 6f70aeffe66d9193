package io.github.cspipeline.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.gateway.error.GatewayException;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Slot accounting of event streams, without a servlet container (the IT covers the wire). */
class EventStreamsTest {

  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private final TransferViews views = new TransferViews(TransferViewsTest.properties(10));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final EventStreams streams =
      new EventStreams(views, TransferViewsTest.properties(10), Clock.systemUTC(), meters);

  @BeforeEach
  void start() {
    views.apply(FinalizeCommand.of(T0, "default", "alice@example.com", "t-1", null), null);
    streams.start();
  }

  @AfterEach
  void close() {
    streams.stop();
    views.destroy();
  }

  @Test
  void stopping_ends_every_stream_and_refuses_new_ones_until_started_again() {
    streams.open("a", "default", "t-1");
    streams.open("b", "default", "t-1");
    assertThat(meters.get("cryptshare.gateway.sse.streams").gauge().value()).isEqualTo(2);

    streams.stop();

    assertThat(streams.openStreams()).isZero();
    assertThatThrownBy(() -> streams.open("a", "default", "t-1"))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
              assertThat(e.code()).isEqualTo("STREAMS_EXHAUSTED");
              assertThat(e.retryAfter()).isNotNull();
            });

    // A stopped context may be started again (Spring's test framework pauses cached contexts).
    streams.start();
    streams.open("a", "default", "t-1");
    assertThat(streams.openStreams()).isEqualTo(1);
  }

  @Test
  void a_caller_at_its_bound_is_refused_with_429_and_others_are_not() {
    for (int i = 0; i < 20; i++) {
      streams.open("a", "default", "t-1");
    }

    assertThatThrownBy(() -> streams.open("a", "default", "t-1"))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
              assertThat(e.code()).isEqualTo("TOO_MANY_STREAMS");
            });
    streams.open("b", "default", "t-1");
    assertThat(streams.openStreams()).isEqualTo(21);
  }
}

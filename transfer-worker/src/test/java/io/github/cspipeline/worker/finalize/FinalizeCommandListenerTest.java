package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.FakeCryptshare.fails;
import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.event.TransferEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

class FinalizeCommandListenerTest {

  static final Duration PAUSE = Duration.ofMillis(250);

  final TestPipeline pipeline = new TestPipeline();
  final FinalizeCommandListener listener =
      new FinalizeCommandListener(
          pipeline.batch,
          new CommandValidator(Set.of("default", "slow")::contains),
          "commands",
          "transfer-worker",
          PAUSE);
  final RecordingAck ack = new RecordingAck();
  final List<ConsumerRecord<String, @Nullable FinalizeCommand>> records = new ArrayList<>();

  static final class RecordingAck implements Acknowledgment {
    boolean acknowledged;
    @Nullable Integer nackedAt;
    @Nullable Duration nackPause;

    @Override
    public void acknowledge() {
      acknowledged = true;
    }

    @Override
    public void nack(int index, Duration sleep) {
      nackedAt = index;
      nackPause = sleep;
    }
  }

  void add(String key, @Nullable FinalizeCommand command) {
    records.add(new ConsumerRecord<>("commands", 0, records.size(), key, command));
  }

  void add(FinalizeCommand command) {
    add(command.trackingId(), command);
  }

  List<String> publishedTrackingIds() {
    return pipeline.published().stream().map(TransferEvent::trackingId).toList();
  }

  @Test
  void a_poll_whose_commands_are_all_done_is_acknowledged() {
    var first = command(trackingId());
    var second = command(trackingId());
    add(first);
    add(second);

    listener.onCommands(records, ack);

    assertThat(ack.acknowledged).isTrue();
    assertThat(ack.nackedAt).isNull();
    assertThat(publishedTrackingIds())
        .containsExactlyInAnyOrder(first.trackingId(), second.trackingId());
  }

  @Test
  void commands_before_an_invalid_one_are_finished_and_the_invalid_one_goes_to_the_error_handler() {
    var before = command(trackingId());
    var invalid = FinalizeCommand.of(NOW, "nowhere", SENDER, trackingId(), null);
    var after = command(trackingId());
    add(before);
    add(invalid);
    add(after);

    var thrown =
        catchThrowableOfType(
            BatchListenerFailedException.class, () -> listener.onCommands(records, ack));

    assertThat(thrown.getIndex()).isEqualTo(1);
    assertThat(thrown.getCause()).isInstanceOf(InvalidCommandException.class);
    assertThat(publishedTrackingIds()).containsExactly(before.trackingId());
    assertThat(ack.acknowledged).isFalse();
  }

  @Test
  void an_unreadable_record_goes_to_the_error_handler() {
    var record = new ConsumerRecord<String, @Nullable FinalizeCommand>("commands", 0, 0, "k", null);
    var raw = "{ not json".getBytes(StandardCharsets.UTF_8);
    SerializationUtils.deserializationException(
        record.headers(),
        raw,
        new DeserializationException("failed to deserialize", raw, false, new RuntimeException()),
        false);
    records.add(record);

    var thrown =
        catchThrowableOfType(
            BatchListenerFailedException.class, () -> listener.onCommands(records, ack));

    assertThat(thrown.getIndex()).isZero();
    assertThat(thrown.getCause())
        .isInstanceOf(InvalidCommandException.class)
        .hasMessageContaining("unreadable")
        .hasCauseInstanceOf(DeserializationException.class);
  }

  @Test
  void a_record_without_a_value_goes_to_the_error_handler() {
    add("tombstone", null);

    var thrown =
        catchThrowableOfType(
            BatchListenerFailedException.class, () -> listener.onCommands(records, ack));

    assertThat(thrown.getCause()).hasMessageContaining("without a value");
  }

  @Test
  void an_unfinished_command_is_negatively_acknowledged_for_redelivery() {
    pipeline.shutdown.stop();
    add(command(trackingId()));

    listener.onCommands(records, ack);

    assertThat(ack.nackedAt).isZero();
    assertThat(ack.nackPause).isEqualTo(PAUSE);
    assertThat(ack.acknowledged).isFalse();
  }

  @Test
  void an_unexpected_failure_goes_to_the_error_handler_at_its_index() {
    var bug = new IllegalStateException("bug");
    pipeline.slowCryptshare.finalizeAnswers(fails(bug));
    add(command(trackingId()));
    add(FinalizeCommand.of(NOW, "slow", SENDER, trackingId(), null));

    var thrown =
        catchThrowableOfType(
            BatchListenerFailedException.class, () -> listener.onCommands(records, ack));

    assertThat(thrown.getIndex()).isEqualTo(1);
    assertThat(thrown.getCause()).isSameAs(bug);
  }
}

package io.github.cspipeline.worker.state;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.event.TransferState;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransferBookTest {

  final TransferBook book = new TransferBook();

  static TransferProgress pending(String trackingId, int partition) {
    return TransferProgress.pending(
        command(trackingId), partition, NOW, NOW.plusSeconds(600), null);
  }

  @Test
  void a_restored_partition_knows_its_pending_and_decided_transfers() {
    var pending = pending("T1", 2);
    var decided = pending("T2", 2).decided(TransferState.REJECTED, NOW);

    book.assign(2, List.of(pending, decided));

    assertThat(book.pendingOf(2)).containsExactly(pending);
    assertThat(book.pending()).isEqualTo(1);
    assertThat(book.get(2, decided.key()))
        .isEqualTo(new TransferBook.Entry.Decided(TransferState.REJECTED));
  }

  @Test
  void a_second_command_for_a_known_transfer_is_not_admitted() {
    book.assign(0, List.of());
    var first = pending("T1", 0);

    assertThat(book.admit(first)).isNull();
    assertThat(book.admit(pending("T1", 0))).isEqualTo(new TransferBook.Entry.Pending(first));
    book.decided(first, TransferState.PROCESSING);
    assertThat(book.admit(pending("T1", 0)))
        .isEqualTo(new TransferBook.Entry.Decided(TransferState.PROCESSING));
    assertThat(book.pending()).isZero();
  }

  @Test
  void a_rolled_back_intake_is_forgotten() {
    book.assign(0, List.of());
    var first = pending("T1", 0);
    book.admit(first);

    book.forget(first);

    assertThat(book.get(0, first.key())).isNull();
    assertThat(book.pending()).isZero();
  }

  @Test
  void a_revoked_partition_is_forgotten_and_takes_no_commands() {
    book.assign(1, List.of(pending("T1", 1)));

    book.revoke(1);

    assertThat(book.pending()).isZero();
    assertThat(book.owns(1)).isFalse();
    assertThatThrownBy(() -> book.admit(pending("T2", 1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void the_state_record_key_is_server_and_tracking_id() {
    assertThat(pending("T1", 0).key()).isEqualTo("default/T1");
  }
}

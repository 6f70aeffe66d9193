package io.github.cspipeline.worker.state;

import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.model.event.TransferState;
import java.time.Duration;
import java.util.ArrayList;
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
        .isEqualTo(
            new TransferBook.Entry.Decided(TransferState.REJECTED, decided.commandId(), NOW));
  }

  @Test
  void a_second_command_for_a_known_transfer_is_not_admitted() {
    book.assign(0, List.of());
    var first = pending("T1", 0);

    assertThat(book.admit(first)).isNull();
    assertThat(book.admit(pending("T1", 0))).isEqualTo(new TransferBook.Entry.Pending(first));
    book.decided(first, TransferState.PROCESSING, NOW);
    assertThat(book.admit(pending("T1", 0)))
        .isEqualTo(
            new TransferBook.Entry.Decided(TransferState.PROCESSING, first.commandId(), NOW));
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
  void decided_entries_are_forgotten_after_their_memory_and_then_may_have_been_forgotten() {
    var book = new TransferBook(Duration.ofMinutes(10), 1000);
    book.assign(0, List.of());
    var old = pending("OLD", 0);
    var young = pending("YOUNG", 0);
    book.admit(old);
    book.admit(young);
    book.decided(old, TransferState.PROCESSING, NOW);
    book.decided(young, TransferState.REJECTED, NOW.plus(Duration.ofMinutes(5)));

    book.prune(NOW.plus(Duration.ofMinutes(11)));

    assertThat(book.get(0, old.key())).isNull();
    assertThat(book.get(0, young.key())).isInstanceOf(TransferBook.Entry.Decided.class);
    assertThat(book.decided()).isEqualTo(1);
    assertThat(book.mayHaveForgotten(old.key())).isTrue();
    assertThat(book.mayHaveForgotten(young.key())).isFalse();
  }

  @Test
  void no_more_than_max_decided_entries_are_kept_the_oldest_go_first() {
    var book = new TransferBook(Duration.ofDays(1), 100);
    book.assign(0, List.of());
    book.assign(1, List.of());
    var all = new ArrayList<TransferProgress>();
    for (int i = 0; i < 1000; i++) {
      var progress = pending("T" + i, i % 2);
      all.add(progress);
      book.admit(progress);
      book.decided(progress, TransferState.PROCESSING, NOW.plusSeconds(i));
    }

    assertThat(book.decided()).isEqualTo(100);
    assertThat(book.pending()).isZero();
    assertThat(all.subList(0, 900)).allMatch(p -> book.get(p.commandPartition(), p.key()) == null);
    assertThat(all.subList(900, 1000))
        .allMatch(p -> book.get(p.commandPartition(), p.key()) != null);
    assertThat(all.subList(0, 900)).allMatch(p -> book.mayHaveForgotten(p.key()));
    // A Bloom filter: false positives are possible, but rare for keys never forgotten.
    long falsePositives =
        java.util.stream.IntStream.range(0, 10_000)
            .filter(i -> book.mayHaveForgotten("default/NEW" + i))
            .count();
    assertThat(falsePositives).isLessThan(10);
  }

  @Test
  void pending_transfers_are_never_forgotten() {
    var book = new TransferBook(Duration.ZERO, 0);
    book.assign(0, List.of());
    var inWork = pending("T1", 0);
    book.admit(inWork);

    book.prune(NOW.plus(Duration.ofDays(30)));

    assertThat(book.pendingOf(0)).containsExactly(inWork);
  }

  @Test
  void merging_a_read_keeps_what_the_book_learnt_after_the_read() {
    book.assign(0, List.of());
    var decidedSinceTheRead = pending("T1", 0);
    book.admit(decidedSinceTheRead);
    book.decided(decidedSinceTheRead, TransferState.PROCESSING, NOW);
    var committedIntake = pending("T2", 0);

    // The read saw T1 still pending (its decision came later) and T2's committed intake.
    var added = book.merge(0, List.of(decidedSinceTheRead, committedIntake));

    assertThat(added).containsExactly(committedIntake);
    assertThat(book.get(0, decidedSinceTheRead.key()))
        .isInstanceOf(TransferBook.Entry.Decided.class);
    assertThat(book.pendingOf(0)).containsExactly(committedIntake);
  }

  @Test
  void the_state_record_key_is_server_and_tracking_id() {
    assertThat(pending("T1", 0).key()).isEqualTo("default/T1");
  }
}

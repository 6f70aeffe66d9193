package io.github.cspipeline.deadletters;

import static io.github.cspipeline.deadletters.Fixtures.AT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionTest {

  private final DeadLetter worker =
      Fixtures.workerDeadLetter(7, "20261202-100000-AbCdEfGh", "could not be taken in", AT);
  private final DeadLetter poller = Fixtures.pollerDeadLetter(3, "bad id", "trackingId malformed");

  @Test
  void no_criteria_select_everything() {
    assertThat(Selection.ALL.matches(worker)).isTrue();
    assertThat(Selection.ALL.isAll()).isTrue();
    assertThat(new Selection(List.of(), null, null, null, null).isAll()).isTrue();
  }

  @Test
  void time_range_is_from_inclusive_to_exclusive_on_the_dead_letter_time() {
    assertThat(new Selection(List.of(), AT, AT.plusSeconds(1), null, null).matches(worker))
        .isTrue();
    assertThat(new Selection(List.of(), AT.plusMillis(1), null, null, null).matches(worker))
        .isFalse();
    assertThat(new Selection(List.of(), null, AT, null, null).matches(worker)).isFalse();
  }

  @Test
  void key_matches_exactly() {
    assertThat(keyed("20261202-100000-AbCdEfGh").matches(worker)).isTrue();
    assertThat(keyed("20261202-100000").matches(worker)).isFalse();
  }

  @Test
  void reason_is_a_case_insensitive_regex_on_the_worker_reason_else_the_exception_message() {
    assertThat(reason("TAKEN IN").matches(worker)).isTrue();
    assertThat(reason("^wrapped").matches(worker)).isFalse();
    assertThat(reason("tracking.*malformed").matches(poller)).isTrue();
  }

  @Test
  void positions_name_dead_letters_as_list_prints_them_or_by_partition_and_offset() {
    var full = Selection.Position.parse("cryptshare.transfer-worker.dlt-0@7");
    assertThat(full).isEqualTo(new Selection.Position("cryptshare.transfer-worker.dlt", 0, 7));
    assertThat(full.matches(worker)).isTrue();
    assertThat(full.matches(poller)).isFalse();
    assertThat(Selection.Position.parse("0@3").matches(poller)).isTrue();
    assertThat(new Selection(List.of(full), null, null, null, null).matches(poller)).isFalse();
    assertThatThrownBy(() -> Selection.Position.parse("0-3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<topic>-<partition>@<offset>");
  }

  private static Selection keyed(String key) {
    return new Selection(List.of(), null, null, key, null);
  }

  private static Selection reason(String regex) {
    return new Selection(List.of(), null, null, null, Selection.reasonPattern(regex));
  }
}

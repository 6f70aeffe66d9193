package io.github.cspipeline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CallerTest {

  private final Caller caller =
      new Caller("c", List.of("default"), List.of("*@example.com", "ops@example.org"), 1);

  @Test
  void sender_patterns_match_whole_addresses_ignoring_case() {
    assertThat(caller.mayActFor("alice@example.com")).isTrue();
    assertThat(caller.mayActFor("ALICE@Example.COM")).isTrue();
    assertThat(caller.mayActFor("ops@example.org")).isTrue();
    assertThat(caller.mayActFor("eve@example.org")).isFalse();
    assertThat(caller.mayActFor("alice@example.com.evil")).isFalse();
  }

  @Test
  void servers_are_matched_by_id_or_star() {
    assertThat(caller.mayUseServer("default")).isTrue();
    assertThat(caller.mayUseServer("other")).isFalse();
    assertThat(new Caller("all", List.of("*"), List.of(), 1).mayUseServer("any")).isTrue();
  }

  @Test
  void no_sender_patterns_means_no_sender() {
    assertThat(new Caller("none", List.of("*"), List.of(), 1).mayActFor("a@example.com")).isFalse();
  }
}

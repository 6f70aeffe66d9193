package io.github.cspipeline.worker.finalize;

import static io.github.cspipeline.worker.FakeCryptshare.exists;
import static io.github.cspipeline.worker.FakeCryptshare.fails;
import static io.github.cspipeline.worker.WorkerFixtures.BASE_URL;
import static io.github.cspipeline.worker.WorkerFixtures.NOW;
import static io.github.cspipeline.worker.WorkerFixtures.SENDER;
import static io.github.cspipeline.worker.WorkerFixtures.SERVER;
import static io.github.cspipeline.worker.WorkerFixtures.answer;
import static io.github.cspipeline.worker.WorkerFixtures.command;
import static io.github.cspipeline.worker.WorkerFixtures.guard;
import static io.github.cspipeline.worker.WorkerFixtures.lostAnswer;
import static io.github.cspipeline.worker.WorkerFixtures.reset;
import static io.github.cspipeline.worker.WorkerFixtures.statusUrl;
import static io.github.cspipeline.worker.WorkerFixtures.trackingId;
import static io.github.cspipeline.worker.WorkerFixtures.unreachable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.github.cspipeline.cryptshare.ForeignLocationException;
import io.github.cspipeline.cryptshare.VerificationToken;
import io.github.cspipeline.model.command.FinalizeCommand;
import io.github.cspipeline.model.credential.CredentialCipher;
import io.github.cspipeline.model.event.TransferError;
import io.github.cspipeline.model.event.TransferEvent;
import io.github.cspipeline.model.event.TransferState;
import io.github.cspipeline.testkit.MutableClock;
import io.github.cspipeline.worker.FakeCryptshare;
import io.github.cspipeline.worker.WorkerFixtures;
import io.github.cspipeline.worker.credential.PassThroughCredentials;
import io.github.cspipeline.worker.resilience.RetryBackoff;
import io.github.cspipeline.worker.resilience.ServerGuard;
import io.github.cspipeline.worker.resilience.StopSwitch;
import io.github.cspipeline.worker.state.TransferProgress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FinalizerTest {

  static final Duration BUDGET = Duration.ofMinutes(1);
  static final byte[] KEY = new byte[32];

  final String trackingId = trackingId();
  final URI statusUrl = statusUrl(SENDER, trackingId);
  final MutableClock clock = new MutableClock(NOW);
  final List<Duration> pauses = new ArrayList<>();
  final FakeCryptshare cryptshare = new FakeCryptshare();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Pauser pauser =
      duration -> {
        pauses.add(duration);
        clock.advance(duration);
      };
  final PassThroughCredentials credentials =
      new PassThroughCredentials(Map.of("k1", Base64.getEncoder().encodeToString(KEY)));
  ServerGuard guard;
  // Random 1.0: no jitter, so the delays are 1s, 2s, 4s, ... up to 8s.
  final Finalizer finalizer =
      finalizer(new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0, () -> 1.0));

  Finalizer finalizer(RetryBackoff backoff) {
    return finalizer(backoff, pauser);
  }

  Finalizer finalizer(RetryBackoff backoff, Pauser pauser) {
    guard = guard(backoff, clock);
    return WorkerFixtures.finalizer(
        cryptshare,
        guard,
        credentials,
        pauser,
        clock,
        new FinalizeMetrics(registry, SERVER::equals));
  }

  static TransferProgress progress(FinalizeCommand command) {
    return TransferProgress.pending(command, 0, NOW, NOW.plus(BUDGET), null);
  }

  TransferEvent decide() {
    return decide(finalizer);
  }

  TransferEvent decide(Finalizer finalizer) {
    return finalizer.decide(progress(command(trackingId)), false, new StopSwitch());
  }

  TransferEvent decide(FinalizeCommand command) {
    return finalizer.decide(progress(command), false, new StopSwitch());
  }

  /** A transfer taken in earlier, by this or another instance: a finalize may have been sent. */
  TransferEvent resume() {
    return finalizer.decide(progress(command(trackingId)), true, new StopSwitch());
  }

  /** Retries every 40 s: the second failure spends the one-minute budget. */
  Finalizer oneRetryWithinTheBudget() {
    return finalizer(
        new RetryBackoff(Duration.ofSeconds(40), Duration.ofSeconds(40), 1.0, () -> 1.0));
  }

  static TransferError rejectedBy(int status, int cryptshareCode) {
    return new TransferError(
        ErrorCodes.CRYPTSHARE_REJECTED, "Cryptshare says " + status, status, cryptshareCode);
  }

  /** The transfer ends REJECTED with Cryptshare's refusal as its error. */
  static void assertRejectedBy(TransferEvent event, int status, int cryptshareCode) {
    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.error()).isEqualTo(rejectedBy(status, cryptshareCode));
  }

  /** The transfer ends ABANDONED for the reason {@code code} names. */
  static void assertAbandoned(TransferEvent event, String code) {
    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error().code()).isEqualTo(code);
  }

  /** How many finalize requests and status checks reached Cryptshare. */
  void assertCalls(int finalizes, int statusChecks) {
    assertThat(cryptshare.finalizeCalls()).as("finalize requests").isEqualTo(finalizes);
    assertThat(cryptshare.statusCalls()).as("status checks").isEqualTo(statusChecks);
  }

  double retries() {
    return registry.find(FinalizeMetrics.RETRIES).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void an_accepted_finalize_becomes_processing_with_the_status_url() throws Exception {
    cryptshare.finalizeAnswers(() -> statusUrl);

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).isEqualTo(statusUrl);
    assertThat(event.server()).isEqualTo(SERVER);
    assertThat(event.sender()).isEqualTo(SENDER);
    assertThat(event.trackingId()).isEqualTo(trackingId);
    assertThat(event.occurredAt()).isEqualTo(NOW);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf(SERVER, trackingId, TransferState.PROCESSING));
    assertThat(event.error()).isNull();
    assertThat(cryptshare.finalizeTokens()).containsExactly("tok-1");
    assertThat(pauses).isEmpty();
  }

  @Test
  void a_finalize_refusing_the_fresh_token_too_is_rejected() throws Exception {
    cryptshare.finalizeAnswers(fails(answer(401, 3002)));

    var event = decide();

    assertRejectedBy(event, 401, 3002);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(2);
    assertThat(cryptshare.tokensIssued()).isEqualTo(2);
  }

  @Test
  void a_rule_violation_is_rejected_at_once_with_cryptshares_error() throws Exception {
    cryptshare.finalizeAnswers(fails(answer(409, 2001)));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf(SERVER, trackingId, TransferState.REJECTED));
    assertThat(event.statusUrl()).isNull();
    assertThat(event.error()).isEqualTo(rejectedBy(409, 2001));
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
    assertThat(pauses).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 405, 410, 422})
  void client_errors_are_rejected_without_retry(int status) throws Exception {
    cryptshare.finalizeAnswers(fails(answer(status, 1004)));

    assertThat(decide().state()).isEqualTo(TransferState.REJECTED);
    assertThat(pauses).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 503, 302})
  void server_errors_timeouts_and_rate_limits_are_retried(int status) throws Exception {
    cryptshare.finalizeAnswers(fails(answer(status, null)), () -> statusUrl);

    assertThat(decide().state()).isEqualTo(TransferState.PROCESSING);
    assertThat(pauses).containsExactly(Duration.ofSeconds(1));
    assertThat(retries()).isEqualTo(1);
  }

  @Test
  void an_unreachable_server_is_retried_with_growing_delays() throws Exception {
    cryptshare.finalizeAnswers(
        fails(unreachable()), fails(unreachable()), fails(unreachable()), () -> statusUrl);

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(pauses)
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(retries()).isEqualTo(3);
    assertThat(cryptshare.statusCalls()).isZero();
  }

  @Test
  void the_delay_between_retries_is_capped() throws Exception {
    cryptshare.finalizeAnswers(
        fails(unreachable()),
        fails(unreachable()),
        fails(unreachable()),
        fails(unreachable()),
        fails(unreachable()),
        () -> statusUrl);

    decide();

    assertThat(pauses).endsWith(Duration.ofSeconds(8), Duration.ofSeconds(8));
  }

  @Test
  void a_retry_after_longer_than_the_backoff_is_honoured() throws Exception {
    cryptshare.finalizeAnswers(fails(answer(429, 2007, Duration.ofSeconds(30))), () -> statusUrl);

    decide();

    assertThat(pauses).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void a_command_is_abandoned_with_the_last_error_when_the_budget_is_spent() throws Exception {
    cryptshare.finalizeAnswers(fails(unreachable()), fails(answer(503, 5000)));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.eventId())
        .isEqualTo(TransferEvent.eventIdOf(SERVER, trackingId, TransferState.ABANDONED));
    assertThat(event.error())
        .satisfies(
            error -> {
              assertThat(error.code()).isEqualTo("RETRY_BUDGET_SPENT");
              assertThat(error.httpStatus()).isEqualTo(503);
              assertThat(error.cryptshareErrorCode()).isEqualTo(5000);
              assertThat(error.message()).contains("PT1M", "HTTP 503", "Cryptshare says 503");
            });
    assertThat(pauses.stream().reduce(Duration.ZERO, Duration::plus)).isLessThanOrEqualTo(BUDGET);
    assertThat(event.occurredAt()).isBefore(NOW.plus(BUDGET));
  }

  @Test
  void a_retry_after_beyond_the_budget_abandons_at_once() throws Exception {
    cryptshare.finalizeAnswers(fails(answer(503, 5000, Duration.ofHours(1))));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(pauses).isEmpty();
  }

  /** Finalize failures after which the finalize may have taken effect (items 2h: 502, 504). */
  static Stream<Arguments> unansweredFinalizes() {
    return Stream.of(
        arguments(named("no answer (timeout)", lostAnswer())),
        arguments(named("no answer (reset)", reset())),
        arguments(named("502", answer(502, null))),
        arguments(named("504", answer(504, null))));
  }

  @ParameterizedTest
  @MethodSource("unansweredFinalizes")
  void an_unanswered_finalize_is_followed_by_a_status_check_instead_of_a_second_finalize(
      RuntimeException failure) {
    cryptshare.finalizeAnswers(fails(failure), () -> statusUrl).statusAnswers(exists());

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).isEqualTo(statusUrl);
    assertCalls(1, 1);
    assertThat(pauses).containsExactly(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @MethodSource("unansweredFinalizes")
  void an_unanswered_finalize_without_a_transfer_is_finalized_again(RuntimeException failure) {
    cryptshare
        .finalizeAnswers(fails(failure), () -> statusUrl)
        .statusAnswers(fails(answer(404, 2003)));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertCalls(2, 1);
  }

  @Test
  void a_failing_status_check_after_a_lost_answer_is_retried_before_finalizing_again()
      throws Exception {
    cryptshare
        .finalizeAnswers(fails(lostAnswer()))
        .statusAnswers(fails(answer(503, 5000)), exists());

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertCalls(1, 2);
  }

  @Test
  void a_lost_answer_when_the_budget_is_spent_still_gets_one_last_status_check() throws Exception {
    cryptshare
        .finalizeAnswers(fails(answer(503, 5000)), fails(lostAnswer()))
        .statusAnswers(exists());
    var event = decide(oneRetryWithinTheBudget());

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(pauses).containsExactly(Duration.ofSeconds(40));
    assertThat(cryptshare.statusCalls()).isEqualTo(1);
  }

  @Test
  void a_lost_answer_is_abandoned_when_the_last_status_check_finds_nothing() throws Exception {
    cryptshare
        .finalizeAnswers(fails(answer(503, 5000)), fails(lostAnswer()))
        .statusAnswers(fails(answer(404, 2003)));
    var event = decide(oneRetryWithinTheBudget());

    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error().message()).contains("no answer");
    assertThat(cryptshare.finalizeCalls()).isEqualTo(2);
  }

  @Test
  void a_finalize_answering_404_for_an_existing_transfer_is_processing() throws Exception {
    cryptshare.finalizeAnswers(fails(answer(404, 2003))).statusAnswers(exists());

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).isEqualTo(statusUrl);
    assertThat(pauses).isEmpty();
  }

  @Test
  void a_finalize_answering_404_without_a_transfer_is_rejected_with_the_finalize_error()
      throws Exception {
    cryptshare.finalizeAnswers(fails(answer(404, 2003))).statusAnswers(fails(answer(404, 2003)));

    var event = decide();

    assertRejectedBy(event, 404, 2003);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
  }

  @Test
  void a_status_url_outside_the_servers_origin_is_replaced_by_the_canonical_one() throws Exception {
    cryptshare.finalizeAnswers(fails(new ForeignLocationException(SERVER, "https://evil.test/")));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).isEqualTo(statusUrl).hasHost(BASE_URL.getHost());
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
  }

  @Test
  void a_lost_answer_of_the_token_request_is_simply_retried() throws Exception {
    cryptshare.tokenAnswers(
        fails(lostAnswer()), () -> new VerificationToken("tok-x", NOW.plusSeconds(600)));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.statusCalls()).isZero();
    assertThat(cryptshare.finalizeTokens()).containsExactly("tok-x");
    assertThat(pauses).hasSize(1);
  }

  @Test
  void a_stopping_worker_ends_the_retries_without_a_decision() {
    cryptshare.finalizeAnswers(fails(unreachable()));
    var stopping =
        finalizer(
            new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0),
            duration -> {
              throw new InterruptedException("stopping");
            });

    assertThat(decide(stopping)).isNull();
  }

  @Test
  void a_stopped_transfer_makes_no_call_at_all() {
    var stopSwitch = new StopSwitch();
    stopSwitch.stop();

    assertThat(finalizer.decide(progress(command(trackingId)), false, stopSwitch)).isNull();
    assertThat(cryptshare.finalizeCalls()).isZero();
  }

  @Test
  void a_resumed_transfer_that_exists_already_is_processing_without_a_second_finalize() {
    cryptshare.statusAnswers(exists());

    var event = resume();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(event.statusUrl()).isEqualTo(statusUrl);
    assertCalls(0, 1);
  }

  @Test
  void a_resumed_transfer_that_does_not_exist_yet_is_finalized() {
    cryptshare.statusAnswers(fails(answer(404, 2003)));

    var event = resume();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertCalls(1, 1);
  }

  @Test
  void a_pass_through_token_is_used_as_it_is_and_no_token_is_requested() {
    var command = withCredential(command(trackingId), "callers-token");

    var event = decide(command);

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.finalizeTokens()).containsExactly("callers-token");
    assertThat(cryptshare.tokensIssued()).isZero();
  }

  @Test
  void a_transfer_whose_circuit_stays_open_past_its_deadline_is_abandoned_without_a_call() {
    guard.circuitBreaker().transitionToOpenState();
    var late = TransferProgress.pending(command(trackingId), 0, NOW.minus(BUDGET), NOW, null);

    var event = finalizer.decide(late, false, new StopSwitch());

    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.error().message()).contains("before a request could be sent");
    assertThat(cryptshare.finalizeCalls()).isZero();
    assertThat(retries()).isZero();
  }

  // --- a transfer this instance lacks the configuration for (issue 9, items 1 and 2a) ---

  double awaitingConfiguration(String reason) {
    var gauge = registry.find(FinalizeMetrics.AWAITING_CONFIGURATION).tag("reason", reason).gauge();
    return gauge == null ? 0 : gauge.value();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void
      a_transfer_for_a_server_not_configured_here_waits_out_its_budget_without_a_call_and_is_abandoned(
          boolean resumed) {
    var command = FinalizeCommand.of(NOW, "gone", SENDER, trackingId, null);
    var waiting = new ArrayList<Double>();
    var finalizer =
        finalizer(
            new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0, () -> 1.0),
            duration -> {
              waiting.add(awaitingConfiguration("server_not_configured"));
              pauser.pause(duration);
            });

    var event = finalizer.decide(progress(command), resumed, new StopSwitch());

    assertThat(event.state()).isEqualTo(TransferState.ABANDONED);
    assertThat(event.server()).isEqualTo("gone");
    assertThat(event.error().code()).isEqualTo(ErrorCodes.SERVER_NOT_CONFIGURED);
    assertThat(event.error().message()).contains("'gone' is not configured", "PT1M");
    assertThat(event.occurredAt()).isEqualTo(NOW.plus(BUDGET));
    assertThat(pauses).containsExactly(BUDGET);
    assertThat(waiting).containsExactly(1.0);
    assertThat(awaitingConfiguration("server_not_configured")).isZero();
    assertCalls(0, 0);
    assertThat(cryptshare.tokensIssued()).isZero();
  }

  @Test
  void
      a_resumed_transfer_past_its_deadline_whose_server_left_the_configuration_is_abandoned_at_once() {
    var command = FinalizeCommand.of(NOW, "gone", SENDER, trackingId, null);
    var late = TransferProgress.pending(command, 0, NOW.minus(BUDGET), NOW, null);

    var event = finalizer.decide(late, true, new StopSwitch());

    assertAbandoned(event, ErrorCodes.SERVER_NOT_CONFIGURED);
    assertThat(pauses).isEmpty();
  }

  @Test
  void a_credential_of_a_key_id_this_worker_lacks_waits_out_its_budget_and_is_abandoned() {
    var command =
        WorkerFixtures.withCredential(
            command(trackingId), "callers-token", new CredentialCipher(Map.of("k9", KEY), "k9"));

    var event = decide(command);

    assertAbandoned(event, ErrorCodes.CREDENTIAL_KEY_UNKNOWN);
    assertThat(event.error().message()).contains("'k9'").doesNotContain("callers-token");
    assertThat(pauses).containsExactly(BUDGET);
    assertThat(cryptshare.finalizeCalls()).isZero();
    assertThat(cryptshare.tokensIssued()).isZero();
  }

  @Test
  void a_resumed_transfer_whose_credential_does_not_decrypt_here_is_abandoned_never_rejected() {
    var madeForAnother = withCredential(command(trackingId()), "callers-token");
    var command =
        new FinalizeCommand(
            1,
            madeForAnother.commandId(),
            NOW,
            SERVER,
            SENDER,
            trackingId,
            madeForAnother.credential());

    var event = finalizer.decide(progress(command), true, new StopSwitch());

    assertAbandoned(event, ErrorCodes.CREDENTIAL_INVALID);
    assertThat(cryptshare.finalizeCalls()).isZero();
  }

  @Test
  void a_transfer_waiting_for_configuration_ends_without_a_decision_when_its_work_is_stopped() {
    var command = FinalizeCommand.of(NOW, "gone", SENDER, trackingId, null);
    var stopping =
        finalizer(
            new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0),
            duration -> {
              throw new InterruptedException("stopping");
            });

    assertThat(stopping.decide(progress(command), false, new StopSwitch())).isNull();
    assertThat(awaitingConfiguration("server_not_configured")).isZero();
  }

  // --- after a finalize may have taken effect, never REJECTED (item 2b) ---

  @Test
  void after_a_lost_answer_an_expired_pass_through_token_on_the_status_check_never_rejects() {
    cryptshare.finalizeAnswers(fails(lostAnswer())).statusAnswers(fails(answer(401, 3002)));
    var command = withCredential(command(trackingId), "callers-token");

    var event = decide(command);

    assertAbandoned(event, ErrorCodes.FINALIZE_OUTCOME_UNKNOWN);
    assertThat(event.error().message()).contains("may have taken effect", "HTTP 401");
    assertThat(event.error().httpStatus()).isEqualTo(401);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
    // It kept checking within the budget, and once more when the budget was spent.
    assertThat(cryptshare.statusCalls()).isGreaterThan(2);
    assertThat(pauses.stream().reduce(Duration.ZERO, Duration::plus)).isLessThanOrEqualTo(BUDGET);
    assertThat(cryptshare.tokensIssued()).isZero();
  }

  @Test
  void after_a_lost_answer_a_refused_status_check_is_retried_and_may_still_find_the_transfer() {
    cryptshare
        .finalizeAnswers(fails(lostAnswer()))
        .statusAnswers(fails(answer(403, 3001)), fails(answer(403, 3001)), exists());

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertCalls(1, 3);
  }

  @Test
  void after_a_404_on_finalize_a_refused_status_check_never_rejects() {
    cryptshare.finalizeAnswers(fails(answer(404, 2003))).statusAnswers(fails(answer(403, 3001)));

    var event = decide();

    assertAbandoned(event, ErrorCodes.FINALIZE_OUTCOME_UNKNOWN);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
  }

  @Test
  void a_resumed_transfer_whose_status_check_is_refused_is_never_rejected() {
    cryptshare.statusAnswers(fails(answer(403, 3001)));

    var event = resume();

    assertAbandoned(event, ErrorCodes.FINALIZE_OUTCOME_UNKNOWN);
    assertThat(cryptshare.finalizeCalls()).isZero();
  }

  // Found by the chaos suite: resumed transfers of unverified senders held their status checks
  // (refused with 3002 every time) for the whole 10-minute budget.
  @Test
  void a_resumed_transfer_whose_status_checks_are_refused_three_times_ends_without_its_budget() {
    cryptshare.statusAnswers(fails(answer(401, 3002)));

    var event = resume();

    assertAbandoned(event, ErrorCodes.FINALIZE_OUTCOME_UNKNOWN);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(3002);
    assertThat(cryptshare.finalizeCalls()).isZero();
    assertThat(pauses).hasSize(Finalizer.MAX_REFUSED_CHECKS - 1);
    assertThat(Duration.between(NOW, clock.instant())).isLessThan(BUDGET.dividedBy(4));
  }

  @Test
  void a_lost_answer_whose_status_checks_keep_failing_is_abandoned_as_outcome_unknown() {
    cryptshare.finalizeAnswers(fails(lostAnswer())).statusAnswers(fails(answer(503, 5000)));

    var event = decide();

    assertAbandoned(event, ErrorCodes.FINALIZE_OUTCOME_UNKNOWN);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
  }

  @Test
  void a_refusal_after_a_status_check_found_nothing_is_rejected_again() {
    cryptshare
        .finalizeAnswers(fails(lostAnswer()), fails(answer(409, 2001)))
        .statusAnswers(fails(answer(404, 2003)));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(2001);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(2);
  }

  // --- 502 and 504 on finalize are a lost answer (item 2h) ---

  @ParameterizedTest
  @ValueSource(ints = {502, 504})
  void a_proxy_error_on_the_last_finalize_attempt_still_gets_a_status_check(int status) {
    cryptshare
        .finalizeAnswers(fails(answer(503, 5000)), fails(answer(status, 5000)))
        .statusAnswers(exists());
    var event = decide(oneRetryWithinTheBudget());

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(pauses).containsExactly(Duration.ofSeconds(40));
    assertCalls(2, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {502, 504})
  void a_proxy_error_on_the_last_attempt_without_a_transfer_is_abandoned_after_the_check(
      int status) {
    cryptshare
        .finalizeAnswers(fails(answer(503, 5000)), fails(answer(status, 5000)))
        .statusAnswers(fails(answer(404, 2003)));
    var event = decide(oneRetryWithinTheBudget());

    assertAbandoned(event, ErrorCodes.RETRY_BUDGET_SPENT);
    assertThat(event.error().httpStatus()).isEqualTo(status);
    assertThat(cryptshare.statusCalls()).isEqualTo(1);
  }

  // --- 3002 under 401 or 403; 3010 and 3011 (item 2n) ---

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void a_token_refused_with_3002_is_renewed_once_and_the_finalize_repeated(int status) {
    cryptshare.finalizeAnswers(fails(answer(status, 3002)), () -> statusUrl);

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.PROCESSING);
    assertThat(cryptshare.finalizeTokens()).containsExactly("tok-1", "tok-2");
    assertThat(cryptshare.invalidated())
        .extracting(VerificationToken::value)
        .containsExactly("tok-1");
    assertThat(pauses).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void a_pass_through_token_refused_with_3002_is_rejected_since_only_its_caller_can_renew_it(
      int status) {
    cryptshare.finalizeAnswers(fails(answer(status, 3002)));
    var command = withCredential(command(trackingId), "callers-token");

    var event = decide(command);

    assertRejectedBy(event, status, 3002);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
    assertThat(cryptshare.tokensIssued()).isZero();
    assertThat(event.toString()).doesNotContain("callers-token");
  }

  @ParameterizedTest
  @ValueSource(ints = {3010, 3011})
  void a_sender_refused_by_policy_is_rejected_with_cryptshares_code_and_no_token_renewal(int code) {
    cryptshare.finalizeAnswers(fails(answer(403, code)));

    var event = decide();

    assertRejectedBy(event, 403, code);
    assertThat(cryptshare.finalizeCalls()).isEqualTo(1);
    assertThat(cryptshare.tokensIssued()).isEqualTo(1);
    assertThat(cryptshare.invalidated()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {3010, 3011})
  void a_token_request_refused_by_policy_is_rejected_with_cryptshares_code(int code) {
    cryptshare.tokenAnswers(fails(answer(403, code)));

    var event = decide();

    assertThat(event.state()).isEqualTo(TransferState.REJECTED);
    assertThat(event.error().cryptshareErrorCode()).isEqualTo(code);
    assertThat(cryptshare.finalizeCalls()).isZero();
  }

  static FinalizeCommand withCredential(FinalizeCommand command, String token) {
    return WorkerFixtures.withCredential(
        command, token, new CredentialCipher(Map.of("k1", KEY), "k1"));
  }
}

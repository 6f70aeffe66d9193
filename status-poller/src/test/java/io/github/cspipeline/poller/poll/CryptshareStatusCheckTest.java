package io.github.cspipeline.poller.poll;

import static io.github.cspipeline.poller.PollerFixtures.CLIENT_ID;
import static io.github.cspipeline.poller.PollerFixtures.SENDER;
import static io.github.cspipeline.poller.PollerFixtures.SERVER;
import static io.github.cspipeline.poller.PollerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.cryptshare.CryptshareServerProperties;
import io.github.cspipeline.cryptshare.RequestInterceptor;
import io.github.cspipeline.cryptshare.TransferSummary;
import io.github.cspipeline.model.event.Recipient;
import io.github.cspipeline.poller.PollerFixtures;
import io.github.cspipeline.poller.watch.Watch;
import io.github.cspipeline.testkit.StubCryptshare;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CryptshareStatusCheckTest {

  private final StubCryptshare cryptshare = PollerFixtures.cryptshare();
  private final CryptshareStatusCheck check =
      new CryptshareStatusCheck(clientsFor(cryptshare.baseUrl()));

  @AfterEach
  void stopStub() {
    cryptshare.close();
  }

  private static CryptshareClients clientsFor(URI baseUrl) {
    var properties =
        new CryptshareServerProperties(
            baseUrl, CLIENT_ID, Duration.ofSeconds(2), Duration.ofSeconds(5), 10, Duration.ZERO);
    return new CryptshareClients(
        Map.of(SERVER, properties), RequestInterceptor.NONE, Clock.systemUTC());
  }

  private Watch watchOf(String trackingId, URI statusUrl) {
    return Watch.start(
        PollerFixtures.processing(SERVER, trackingId, statusUrl, T0),
        statusUrl,
        T0,
        Duration.ofHours(24),
        null);
  }

  private Watch watchOf(String trackingId) {
    return watchOf(trackingId, PollerFixtures.statusUrl(cryptshare.baseUrl(), SENDER, trackingId));
  }

  @Test
  void refuses_a_status_url_outside_the_servers_origin_without_sending_any_request() {
    var foreign =
        watchOf(
            "t-foreign", URI.create("https://evil.example.net/api/users/a/transfers/t-foreign"));

    var outcome = check.check(foreign);

    assertThat(outcome).isInstanceOf(PollOutcome.ForeignStatusUrl.class);
    assertThat(((PollOutcome.ForeignStatusUrl) outcome).message()).contains("evil.example.net");
    assertThat(cryptshare.requests()).isEmpty();
  }

  @Test
  void refuses_a_status_url_on_another_port_of_the_same_host() {
    var base = cryptshare.baseUrl();
    var otherPort =
        URI.create("http://127.0.0.1:" + (base.getPort() + 1) + "/api/users/a/transfers/t");

    assertThat(check.check(watchOf("t", otherPort)))
        .isInstanceOf(PollOutcome.ForeignStatusUrl.class);
    assertThat(cryptshare.requests()).isEmpty();
  }

  @Test
  void reports_the_state_recipients_and_download_urls_cryptshare_answers() {
    cryptshare.onStatus("t-active", StubCryptshare.active("https://cs.example.com/download/bob"));

    var outcome = check.check(watchOf("t-active"));

    assertThat(outcome).isInstanceOf(PollOutcome.Answered.class);
    var status = ((PollOutcome.Answered) outcome).status();
    assertThat(status.state()).isEqualTo("ACTIVE");
    assertThat(status.warnings()).isTrue();
    assertThat(status.recipients())
        .extracting(Recipient::mail, Recipient::downloadUrl)
        .containsExactly(
            tuple("bob@example.org", URI.create("https://cs.example.com/download/bob")));
  }

  @Test
  void renews_a_refused_token_and_polls_again_with_the_fresh_one() {
    cryptshare.onStatus("t-token", StubCryptshare.state("PROCESSING"));
    cryptshare.refuseIssuedToken(1, StubCryptshare.error(401, 3002, "stub error 401"));

    var outcome = check.check(watchOf("t-token"));

    assertThat(outcome).isInstanceOf(PollOutcome.Answered.class);
    assertThat(cryptshare.issuedTokens()).hasSize(2);
    assertThat(cryptshare.statusCalls("t-token")).isEqualTo(2);
  }

  @Test
  void renews_a_token_refused_with_403_and_3002_and_reads_the_status_with_the_fresh_one() {
    cryptshare.onStatus("t-token", StubCryptshare.state("PROCESSING"));
    cryptshare.refuseIssuedToken(1, StubCryptshare.error(403, 3002, "stub error 403"));

    var outcome = check.check(watchOf("t-token"));

    assertThat(outcome).isEqualTo(new PollOutcome.Answered(PollerFixtures.status("PROCESSING")));
    assertThat(cryptshare.issuedTokens()).hasSize(2);
    assertThat(cryptshare.statusCalls("t-token")).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void renews_a_token_refused_with_3002_and_reads_the_senders_list_with_the_fresh_one(int status) {
    cryptshare.listShows(Map.of("t-listed", "PROCESSING"));
    cryptshare.refuseIssuedToken(1, StubCryptshare.error(status, 3002, "stub error " + status));

    var outcome = check.list(SERVER, SENDER, 1, 100);

    assertThat(outcome)
        .isEqualTo(new ListOutcome.Page(List.of(new TransferSummary("t-listed", "PROCESSING"))));
    assertThat(cryptshare.issuedTokens()).hasSize(2);
    assertThat(cryptshare.listCalls()).isEqualTo(2);
  }

  /**
   * 3010 and 3011 reject a sender (or sender and recipient) by policy: nothing a fresh token
   * changes, and nothing that says how the transfer is doing. Like any other non-transient 4xx the
   * poll fails, and the watch is polled again with backoff until its deadline.
   */
  @ParameterizedTest
  @ValueSource(ints = {3010, 3011})
  void keeps_the_token_on_a_403_with_a_policy_code_and_reports_a_failed_poll(int errorCode) {
    cryptshare.onStatus("t-policy", StubCryptshare.error(403, errorCode, "stub error 403"));

    var outcome = check.check(watchOf("t-policy"));

    assertThat(outcome).isInstanceOf(PollOutcome.Failed.class);
    assertThat(((PollOutcome.Failed) outcome).reason()).contains("403");
    assertThat(cryptshare.issuedTokens()).hasSize(1);
    assertThat(cryptshare.statusCalls("t-policy")).isEqualTo(1);
  }

  @Test
  void keeps_the_token_on_a_403_with_a_policy_code_from_the_senders_list() {
    cryptshare.listShows(Map.of("t-listed", "PROCESSING"));
    cryptshare.refuseIssuedToken(1, StubCryptshare.error(403, 3010, "stub error 403"));

    var outcome = check.list(SERVER, SENDER, 1, 100);

    assertThat(outcome).isInstanceOf(ListOutcome.Failed.class);
    assertThat(((ListOutcome.Failed) outcome).outcome()).isInstanceOf(PollOutcome.Failed.class);
    assertThat(cryptshare.issuedTokens()).hasSize(1);
    assertThat(cryptshare.listCalls()).isEqualTo(1);
  }

  @Test
  void reuses_the_cached_token_across_polls() {
    cryptshare.onStatus("t-cached", StubCryptshare.state("PROCESSING"));

    check.check(watchOf("t-cached"));
    check.check(watchOf("t-cached"));

    assertThat(cryptshare.issuedTokens()).hasSize(1);
  }

  @Test
  void turns_a_404_into_not_found_with_cryptshares_error_code() {
    var outcome = check.check(watchOf("t-unknown"));

    assertThat(outcome).isEqualTo(new PollOutcome.NotFound(404, 2003, "stub error 404"));
  }

  @Test
  void treats_a_404_for_a_missing_endpoint_or_api_version_as_a_failure_not_as_a_missing_transfer() {
    cryptshare.onStatus("t-no-endpoint", StubCryptshare.error(404, 1006, "stub error 404"));
    cryptshare.onStatus("t-old-api", StubCryptshare.error(404, 2004, "stub error 404"));

    assertThat(check.check(watchOf("t-no-endpoint"))).isInstanceOf(PollOutcome.Failed.class);
    assertThat(check.check(watchOf("t-old-api"))).isInstanceOf(PollOutcome.Failed.class);
  }

  @Test
  void turns_a_429_into_a_retry_carrying_the_retry_after() {
    cryptshare.onStatus(
        "t-busy", StubCryptshare.error(429, 2007, "stub error 429", "Retry-After", "7"));

    var outcome = check.check(watchOf("t-busy"));

    assertThat(outcome).isInstanceOf(PollOutcome.Retry.class);
    assertThat(((PollOutcome.Retry) outcome).retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void turns_a_server_error_into_a_retry() {
    cryptshare.onStatus("t-5xx", StubCryptshare.error(503, 5000, "stub error 503"));

    assertThat(check.check(watchOf("t-5xx"))).isInstanceOf(PollOutcome.Retry.class);
  }

  @Test
  void turns_other_client_errors_into_a_failure() {
    cryptshare.onStatus("t-403", StubCryptshare.error(403, 3001, "stub error 403"));

    assertThat(check.check(watchOf("t-403"))).isInstanceOf(PollOutcome.Failed.class);
  }

  @Test
  void turns_an_unreachable_server_into_a_retry() {
    var url = PollerFixtures.statusUrl(cryptshare.baseUrl(), SENDER, "t-down");
    cryptshare.close();

    assertThat(check.check(watchOf("t-down", url))).isInstanceOf(PollOutcome.Retry.class);
  }
}

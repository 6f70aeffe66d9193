package io.github.cspipeline.cryptshare;

import static io.github.cspipeline.testkit.StubCryptshare.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.cspipeline.testkit.MutableClock;
import io.github.cspipeline.testkit.StubCryptshare;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallGuardTest {

  static final String SENDER = "alice@example.com";
  static final String TRACKING_ID = "20261126-101500-AbCdEfGh";
  static final String FINALIZE = "/api/users/" + SENDER + "/transfer-sessions/" + TRACKING_ID;

  StubCryptshare stub;

  @BeforeEach
  void start() throws IOException {
    stub = new StubCryptshare();
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  CryptshareClient client(CallGuard guard) {
    return new CryptshareClient(
        "default",
        new CryptshareServerProperties(
            stub.baseUrl(),
            "Cl1ent1d".repeat(8),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            10,
            Duration.ofMinutes(5)),
        RequestInterceptor.NONE,
        new MutableClock(Instant.parse("2026-11-26T10:15:00Z")),
        guard);
  }

  @Test
  void every_request_passes_through_the_guard_and_the_guard_sees_its_outcome() {
    var seen = new ArrayList<Object>();
    var client =
        client(
            new CallGuard() {
              @Override
              public <T> T call(Supplier<T> request) {
                try {
                  var answer = request.get();
                  seen.add("ok");
                  return answer;
                } catch (CryptshareException e) {
                  seen.add(e.getClass().getSimpleName());
                  throw e;
                }
              }
            });
    stub.on("POST", FINALIZE, json(201, ""));
    stub.on(
        "POST",
        "/api/users/" + SENDER + "/verification/token",
        StubCryptshare.token("tok", "2026-11-26T11:15:00Z"));

    var token = client.token(SENDER);
    client.finalizeSession(SENDER, TRACKING_ID, token.value());
    stub.on("POST", FINALIZE, StubCryptshare.error(503, 5000, "Busy"));

    assertThatThrownBy(() -> client.finalizeSession(SENDER, TRACKING_ID, token.value()))
        .isInstanceOf(CryptshareException.ErrorResponse.class);
    assertThat(seen).isEqualTo(List.of("ok", "ok", "ErrorResponse"));
  }

  @Test
  void a_refusing_guard_sends_nothing() {
    var refusal = new IllegalStateException("circuit open");
    var client =
        client(
            new CallGuard() {
              @Override
              public <T> T call(Supplier<T> request) {
                throw new CryptshareException.Unreachable("default", refusal);
              }
            });

    assertThatThrownBy(() -> client.finalizeSession(SENDER, TRACKING_ID, "tok"))
        .isInstanceOf(CryptshareException.Unreachable.class)
        .hasCause(refusal);
    assertThat(stub.requests()).isEmpty();
  }
}

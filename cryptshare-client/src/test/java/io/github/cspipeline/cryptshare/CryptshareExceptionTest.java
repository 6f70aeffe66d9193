package io.github.cspipeline.cryptshare;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.cryptshare.CryptshareException.Kind;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one classification of Cryptshare answers that worker and poller decide on. */
class CryptshareExceptionTest {

  private static CryptshareException.ErrorResponse answer(int status) {
    return new CryptshareException.ErrorResponse("cs", status, null, "x", null);
  }

  @ParameterizedTest(name = "HTTP {0} is {1}")
  @CsvSource({
    "429, RATE_LIMITED, rate_limited, true,  false, false, false",
    "404, NOT_FOUND,    not_found,    false, false, true,  false",
    "400, REFUSED,      refused,      false, false, true,  false",
    "401, REFUSED,      refused,      false, false, true,  false",
    "403, REFUSED,      refused,      false, false, true,  false",
    "409, REFUSED,      refused,      false, false, true,  false",
    "408, SERVER_ERROR, server_error, true,  true,  false, false",
    "500, SERVER_ERROR, server_error, true,  true,  false, false",
    "502, SERVER_ERROR, server_error, true,  true,  false, true",
    "503, SERVER_ERROR, server_error, true,  true,  false, false",
    "504, SERVER_ERROR, server_error, true,  true,  false, true",
    "302, UNEXPECTED,   server_error, false, false, false, false",
    "200, UNEXPECTED,   server_error, false, false, false, false"
  })
  void an_answer_is_classified_once_for_every_decision(
      int status,
      Kind kind,
      String tag,
      boolean transientFailure,
      boolean unhealthy,
      boolean refusal,
      boolean mayHaveTakenEffect) {
    var e = answer(status);

    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.kind().tag()).isEqualTo(tag);
    assertThat(e.isTransient()).isEqualTo(transientFailure);
    assertThat(e.kind().isUnhealthy()).isEqualTo(unhealthy);
    assertThat(e.kind().isRefusal()).isEqualTo(refusal);
    assertThat(e.mayHaveTakenEffect()).isEqualTo(mayHaveTakenEffect);
  }

  @Test
  void no_connection_never_took_effect_and_a_lost_answer_may_have() {
    var unreachable = new CryptshareException.Unreachable("cs", new IOException("refused"));
    var lost = new CryptshareException.OutcomeUnknown("cs", new SocketTimeoutException("read"));

    assertThat(unreachable.kind()).isEqualTo(Kind.UNREACHABLE);
    assertThat(unreachable.kind().isTransient()).isTrue();
    assertThat(unreachable.kind().isUnhealthy()).isTrue();
    assertThat(unreachable.mayHaveTakenEffect()).isFalse();
    assertThat(lost.kind()).isEqualTo(Kind.NO_ANSWER);
    assertThat(lost.kind().tag()).isEqualTo("no_answer");
    assertThat(lost.kind().isTransient()).isTrue();
    assertThat(lost.mayHaveTakenEffect()).isTrue();
  }
}

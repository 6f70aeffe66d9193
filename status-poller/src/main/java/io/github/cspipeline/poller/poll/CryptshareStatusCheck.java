package io.github.cspipeline.poller.poll;

import io.github.cspipeline.cryptshare.CryptshareClient;
import io.github.cspipeline.cryptshare.CryptshareClients;
import io.github.cspipeline.cryptshare.CryptshareException;
import io.github.cspipeline.cryptshare.ForeignLocationException;
import io.github.cspipeline.cryptshare.TransferStatus;
import io.github.cspipeline.cryptshare.TransferSummary;
import io.github.cspipeline.poller.watch.Watch;
import java.net.URI;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls through the Cryptshare adapter with the sender's client-id-mode token, renewing a token
 * Cryptshare refuses once per request.
 */
public final class CryptshareStatusCheck implements StatusSource {

  private static final Logger log = LoggerFactory.getLogger(CryptshareStatusCheck.class);

  private final CryptshareClients clients;

  public CryptshareStatusCheck(CryptshareClients clients) {
    this.clients = clients;
  }

  @Override
  public PollOutcome check(Watch watch) {
    try {
      var client = clients.get(watch.server());
      URI statusUrl;
      try {
        // Checked before a token is even fetched: a foreign host must never see a request.
        statusUrl = client.resolveStatusUrl(watch.statusUrl().toString());
      } catch (ForeignLocationException e) {
        return new PollOutcome.ForeignStatusUrl(String.valueOf(e.getMessage()));
      }
      return new PollOutcome.Answered(status(client, watch, statusUrl));
    } catch (CryptshareException.ErrorResponse e) {
      if (e.httpStatus() == 404 && !isWrongEndpoint(e)) {
        return new PollOutcome.NotFound(e.httpStatus(), e.errorCode(), e.errorMessage());
      }
      return failure(e);
    } catch (CryptshareException e) {
      return new PollOutcome.Retry(String.valueOf(e.getMessage()), null);
    } catch (RuntimeException e) {
      // E.g. a server without client-id: the poll fails, the watch goes on until fixed or expired.
      return new PollOutcome.Failed(e.toString());
    }
  }

  @Override
  public ListOutcome list(String server, String sender, int page, int pageSize) {
    try {
      var client = clients.get(server);
      List<TransferSummary> rows =
          withToken(client, sender, token -> client.listTransfers(sender, token, page, pageSize));
      return new ListOutcome.Page(rows);
    } catch (CryptshareException.ErrorResponse e) {
      return new ListOutcome.Failed(failure(e));
    } catch (CryptshareException e) {
      return new ListOutcome.Failed(new PollOutcome.Retry(String.valueOf(e.getMessage()), null));
    } catch (RuntimeException e) {
      return new ListOutcome.Failed(new PollOutcome.Failed(e.toString()));
    }
  }

  private static PollOutcome failure(CryptshareException.ErrorResponse e) {
    return e.isTransient()
        ? new PollOutcome.Retry(String.valueOf(e.getMessage()), e.retryAfter())
        : new PollOutcome.Failed(String.valueOf(e.getMessage()));
  }

  /**
   * 404 with 1006 (no such endpoint) or 2004 (API version not supported) says nothing about the
   * transfer: it is a configuration problem, which must not abandon every watched transfer.
   */
  private static boolean isWrongEndpoint(CryptshareException.ErrorResponse e) {
    var code = e.errorCode();
    return code != null && (code == 1006 || code == 2004);
  }

  private TransferStatus status(CryptshareClient client, Watch watch, URI statusUrl) {
    return withToken(client, watch.sender(), token -> client.transferStatus(statusUrl, token));
  }

  private static <T> T withToken(CryptshareClient client, String sender, Function<String, T> call) {
    var token = client.token(sender);
    try {
      return call.apply(token.value());
    } catch (CryptshareException.ErrorResponse e) {
      if (!e.isInvalidToken()) {
        throw e;
      }
      log.info(
          "Cryptshare server {} refused the token of {}; retrying once with a fresh one",
          client.server(),
          sender);
      client.invalidateToken(sender, token);
      return call.apply(client.token(sender).value());
    }
  }
}

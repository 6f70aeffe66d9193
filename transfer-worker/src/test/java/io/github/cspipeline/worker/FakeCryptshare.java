package io.github.cspipeline.worker;

import io.github.cspipeline.cryptshare.CryptshareApi;
import io.github.cspipeline.cryptshare.TransferStatus;
import io.github.cspipeline.cryptshare.TransferSummary;
import io.github.cspipeline.cryptshare.VerificationToken;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A scripted Cryptshare server. Each operation answers from its own script, in turn; the last
 * answer repeats. Without a script, finalize and status succeed and tokens are {@code tok-1},
 * {@code tok-2}, ...
 */
public final class FakeCryptshare implements CryptshareApi {

  private final Deque<Callable<URI>> finalizeScript = new ArrayDeque<>();
  private final Deque<Callable<TransferStatus>> statusScript = new ArrayDeque<>();
  private final Deque<Callable<VerificationToken>> tokenScript = new ArrayDeque<>();
  private final List<String> finalizeTokens = new ArrayList<>();
  private final List<VerificationToken> invalidated = new ArrayList<>();
  private int statusCalls;
  private int tokensIssued;

  @SafeVarargs
  public final synchronized FakeCryptshare finalizeAnswers(Callable<URI>... answers) {
    finalizeScript.clear();
    finalizeScript.addAll(List.of(answers));
    return this;
  }

  @SafeVarargs
  public final synchronized FakeCryptshare statusAnswers(Callable<TransferStatus>... answers) {
    statusScript.clear();
    statusScript.addAll(List.of(answers));
    return this;
  }

  @SafeVarargs
  public final synchronized FakeCryptshare tokenAnswers(Callable<VerificationToken>... answers) {
    tokenScript.clear();
    tokenScript.addAll(List.of(answers));
    return this;
  }

  /** An answer that fails with {@code e}. */
  public static <T> Callable<T> fails(RuntimeException e) {
    return () -> {
      throw e;
    };
  }

  public static Callable<TransferStatus> exists() {
    return () -> new TransferStatus("PROCESSING", false, List.of());
  }

  public synchronized int finalizeCalls() {
    return finalizeTokens.size();
  }

  /** The token each finalize call carried. */
  public synchronized List<String> finalizeTokens() {
    return List.copyOf(finalizeTokens);
  }

  public synchronized int statusCalls() {
    return statusCalls;
  }

  public synchronized int tokensIssued() {
    return tokensIssued;
  }

  public synchronized List<VerificationToken> invalidated() {
    return List.copyOf(invalidated);
  }

  @Override
  public String server() {
    return WorkerFixtures.SERVER;
  }

  @Override
  public synchronized VerificationToken token(String sender) {
    if (tokenScript.isEmpty()) {
      tokensIssued++;
      return new VerificationToken("tok-" + tokensIssued, WorkerFixtures.NOW.plusSeconds(3600));
    }
    var token = next(tokenScript);
    tokensIssued++;
    return token;
  }

  @Override
  public synchronized void invalidateToken(String sender, VerificationToken refused) {
    invalidated.add(refused);
  }

  @Override
  public URI finalizeSession(String sender, String trackingId, String token) {
    Callable<URI> answer;
    synchronized (this) {
      finalizeTokens.add(token);
      answer = peekOrPoll(finalizeScript);
    }
    if (answer == null) {
      return WorkerFixtures.statusUrl(sender, trackingId);
    }
    return call(answer);
  }

  @Override
  public TransferStatus transferStatus(URI statusUrl, String token) {
    Callable<TransferStatus> answer;
    synchronized (this) {
      statusCalls++;
      answer = peekOrPoll(statusScript);
    }
    return answer == null ? new TransferStatus("PROCESSING", false, List.of()) : call(answer);
  }

  @Override
  public URI statusUrlOf(String sender, String trackingId) {
    return WorkerFixtures.statusUrl(sender, trackingId);
  }

  @Override
  public List<TransferSummary> listTransfers(String sender, String token, int page, int pageSize) {
    return List.of();
  }

  private static <T> Callable<T> peekOrPoll(Deque<Callable<T>> script) {
    return script.size() > 1 ? script.poll() : script.peek();
  }

  private static <T> T next(Deque<Callable<T>> script) {
    return call(peekOrPoll(script));
  }

  private static <T> T call(Callable<T> answer) {
    try {
      return answer.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.github.cspipeline.cryptshare;

import java.net.URI;
import java.util.List;

/**
 * The operations of one Cryptshare server that the pipeline uses. {@link CryptshareClient} is the
 * one implementation that talks HTTP; the interface exists so that decision logic built on top of
 * it can be tested with a scripted fake.
 *
 * <p>Every method either returns the expected success or throws a {@link CryptshareException} (or,
 * for status URLs, a {@link ForeignLocationException}).
 */
public interface CryptshareApi {

  /** The configured id of the server, e.g. {@code default}. */
  String server();

  /** A valid verification token for {@code sender} (client-id mode), cached while fresh. */
  VerificationToken token(String sender);

  /** Forgets a token Cryptshare refused, unless it was already replaced by a newer one. */
  void invalidateToken(String sender, VerificationToken refused);

  /**
   * Finalizes a transfer session.
   *
   * @return the transfer's status URL, resolved against the server and inside its origin
   * @throws ForeignLocationException Cryptshare accepted the finalize (201) but its {@code
   *     Location} points outside the server's origin
   */
  URI finalizeSession(String sender, String trackingId, String token);

  /** The status of a finalized transfer; the URL must lie inside the server's origin. */
  TransferStatus transferStatus(URI statusUrl, String token);

  /** The status URL Cryptshare uses for a transfer: {@code /api/users/{sender}/transfers/{id}}. */
  URI statusUrlOf(String sender, String trackingId);

  /** One page of the sender's transfers, newest first. */
  List<TransferSummary> listTransfers(String sender, String token, int page, int pageSize);
}

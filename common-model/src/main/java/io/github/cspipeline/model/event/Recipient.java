package io.github.cspipeline.model.event;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One recipient of a transfer as Cryptshare reports it.
 *
 * @param mail the recipient's email address
 * @param downloadUrl the recipient's personal download link, once the transfer is {@code ACTIVE};
 *     {@code null} when Cryptshare does not reveal it
 * @param notificationFailed whether Cryptshare failed to send the recipient's notification mail
 */
public record Recipient(String mail, @Nullable URI downloadUrl, boolean notificationFailed) {
  public Recipient {
    Objects.requireNonNull(mail, "mail");
  }
}

package io.github.cspipeline.example.consumer.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default handler: logs what happened. Download URLs are never logged, at no level: a link is a
 * capability (with a transfer that needs no password, whoever has it downloads the files), logs are
 * kept longer and read by more people than the topic, and debug logging gets switched on in
 * production when something goes wrong. Recipients' addresses are personal data: debug only.
 */
public class LoggingTransferEventHandler implements TransferEventHandler {

  private static final Logger log = LoggerFactory.getLogger(LoggingTransferEventHandler.class);

  @Override
  public void onActive(TransferEvent event) {
    log.info(
        "Transfer {} on {} is ACTIVE; {} recipient(s) can download",
        event.trackingId(),
        event.server(),
        event.recipients().size());
    for (var recipient : event.recipients()) {
      log.debug(
          "Transfer {}: recipient {} {}{}",
          event.trackingId(),
          recipient.mail(),
          recipient.downloadUrl() == null ? "has no download URL" : "has a download URL",
          recipient.notificationFailed() ? "; Cryptshare could not send the notification" : "");
    }
  }

  @Override
  public void onFailed(TransferEvent event) {
    log.warn(
        "Transfer {} on {} FAILED in Cryptshare; nothing to download, the sender must send again",
        event.trackingId(),
        event.server());
  }

  @Override
  public void onEndedWithoutDownloads(TransferEvent event) {
    var error = event.error();
    log.info(
        "Transfer {} on {} ended {} without downloads ({})",
        event.trackingId(),
        event.server(),
        event.state(),
        error == null ? "no error given" : error.code() + ": " + error.message());
  }
}

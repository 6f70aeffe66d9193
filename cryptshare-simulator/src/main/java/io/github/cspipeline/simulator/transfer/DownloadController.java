package io.github.cspipeline.simulator.transfer;

import java.time.Clock;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where {@code downloadUrl} points: a plain-text page naming the transfer, so a link in the local
 * run leads somewhere. It serves no file content.
 */
@RestController
public class DownloadController {

  private final TransferStore transfers;
  private final Clock clock;

  public DownloadController(TransferStore transfers, Clock clock) {
    this.transfers = transfers;
    this.clock = clock;
  }

  @GetMapping(value = "/download/{recipientTransferId}", produces = MediaType.TEXT_PLAIN_VALUE)
  public ResponseEntity<String> download(@PathVariable String recipientTransferId) {
    Transfer transfer = transfers.byRecipientId(recipientTransferId);
    if (transfer == null) {
      return ResponseEntity.status(HttpStatus.NOT_FOUND).body("No such download.\n");
    }
    String state = transfer.state(clock.instant());
    String files =
        transfer.files().stream()
            .map(file -> file.fileName() + " (" + file.size() + " bytes)")
            .collect(Collectors.joining(", "));
    String text =
        "Cryptshare simulator: transfer %s from %s, state %s, files: %s%n"
            .formatted(transfer.trackingId(), transfer.sender(), state, files);
    HttpStatus status = state.equals(TransferStates.ACTIVE) ? HttpStatus.OK : HttpStatus.NOT_FOUND;
    return ResponseEntity.status(status).body(text);
  }
}

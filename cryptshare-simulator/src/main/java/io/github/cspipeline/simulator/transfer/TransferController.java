package io.github.cspipeline.simulator.transfer;

import io.github.cspipeline.simulator.api.ApiException;
import io.github.cspipeline.simulator.api.Caller;
import io.github.cspipeline.simulator.api.Envelope;
import io.github.cspipeline.simulator.api.Links;
import io.github.cspipeline.simulator.stats.FinalizeOutcome;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class TransferController {

  private static final int DEFAULT_PAGE_SIZE = 10;
  private static final int MAX_PAGE_SIZE = 100;

  private final TransferService transfers;

  public TransferController(TransferService transfers) {
    this.transfers = transfers;
  }

  /** Finalize: 201 with the absolute status URL in {@code Location}, no body. */
  @PostMapping("/api/users/{sender}/transfer-sessions/{trackingId}")
  public ResponseEntity<Void> finalizeSession(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      HttpServletRequest request) {
    Transfer transfer = transfers.finalize(caller, sender, trackingId);
    FinalizeOutcome.markTookEffect(request);
    String location = Links.status(Links.base(request), sender, transfer.trackingId());
    return ResponseEntity.created(URI.create(location)).build();
  }

  @GetMapping("/api/users/{sender}/transfers/{trackingId}")
  public Envelope<TransferViews.TransferStatus> status(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      HttpServletRequest request) {
    TransferService.Seen seen = transfers.status(caller, sender, trackingId);
    Transfer transfer = seen.transfer();
    return Envelope.of(
        TransferViews.status(
            transfer, transfer.state(transfers.now()), seen.callerToken(), Links.base(request)));
  }

  @GetMapping("/api/users/{sender}/transfers")
  public Envelope<List<TransferViews.ListItem>> list(
      Caller caller,
      @PathVariable String sender,
      @RequestParam(name = "page", required = false) @Nullable String page,
      @RequestParam(name = "page-size", required = false) @Nullable String pageSize,
      HttpServletRequest request) {
    int pageNumber = parse("page", page, 1, Integer.MAX_VALUE, 1);
    int size = parse("page-size", pageSize, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    TransferStore.Page result = transfers.list(caller, sender, pageNumber, size);
    Instant now = transfers.now();
    String base = Links.base(request);
    String token = caller.verificationToken() == null ? "" : caller.verificationToken();
    List<TransferViews.ListItem> items =
        result.transfers().stream()
            .map(transfer -> TransferViews.listItem(transfer, now, token, base))
            .toList();
    int totalPages = (result.totalCount() + size - 1) / size;
    Map<String, Object> meta =
        Map.of(
            "page", pageNumber,
            "pageSize", size,
            "totalCount", result.totalCount(),
            "totalPages", totalPages);
    return new Envelope<>(items, meta);
  }

  private static int parse(String name, @Nullable String value, int min, int max, int fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value.trim());
      if (number < min || number > max) {
        throw ApiException.invalid("parameter " + name);
      }
      return number;
    } catch (NumberFormatException e) {
      throw ApiException.invalid("parameter " + name);
    }
  }
}

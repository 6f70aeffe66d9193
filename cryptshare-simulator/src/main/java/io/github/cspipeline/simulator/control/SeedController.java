package io.github.cspipeline.simulator.control;

import io.github.cspipeline.simulator.api.Ids;
import io.github.cspipeline.simulator.api.Links;
import io.github.cspipeline.simulator.api.PathVariables;
import io.github.cspipeline.simulator.config.SimulatorProperties;
import io.github.cspipeline.simulator.control.ControlRequests.FileSeed;
import io.github.cspipeline.simulator.control.ControlRequests.SeededSession;
import io.github.cspipeline.simulator.control.ControlRequests.SeededTransfers;
import io.github.cspipeline.simulator.control.ControlRequests.SessionSeed;
import io.github.cspipeline.simulator.control.ControlRequests.TransferSeed;
import io.github.cspipeline.simulator.session.FileInfo;
import io.github.cspipeline.simulator.session.Outcome;
import io.github.cspipeline.simulator.session.Recipients;
import io.github.cspipeline.simulator.session.Session;
import io.github.cspipeline.simulator.session.SessionStore;
import io.github.cspipeline.simulator.session.TransferSettings;
import io.github.cspipeline.simulator.transfer.TransferService;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The control API's seeding (CONTRACT.md §5): a session as a client would have created it, or many
 * finalized transfers at once.
 */
@RestController
@RequestMapping("/simulator")
public class SeedController {

  private static final String SEED_FILE_NAME = "document.pdf";
  private static final long SEED_FILE_SIZE = 1024;
  private static final int FILE_ID_LENGTH = 10;
  private static final int MAX_SEEDED_TRANSFERS = 1_000_000;

  private final SessionStore sessions;
  private final TransferService transfers;
  private final Ids ids;
  private final String defaultRecipient;

  public SeedController(
      SessionStore sessions, TransferService transfers, Ids ids, SimulatorProperties properties) {
    this.sessions = sessions;
    this.transfers = transfers;
    this.ids = ids;
    this.defaultRecipient = properties.autoSessionRecipient();
  }

  @PostMapping("/sessions")
  public ResponseEntity<SeededSession> seedSession(
      @RequestBody SessionSeed seed, HttpServletRequest request) {
    if (seed.sender() == null || !PathVariables.isEmail(seed.sender())) {
      throw ControlErrors.badRequest("sender must be an email address");
    }
    String trackingId = seed.trackingId() != null ? seed.trackingId() : ids.trackingId();
    if (!PathVariables.isTrackingId(trackingId)) {
      throw ControlErrors.badRequest("trackingId must be 1-64 characters of [A-Za-z0-9_-]");
    }
    if (seed.processingTime() != null && seed.processingTime().isNegative()) {
      throw ControlErrors.badRequest("processingTime must not be negative");
    }
    Session session =
        new Session(
            trackingId,
            seed.sender(),
            PathVariables.key(seed.sender()),
            null,
            Recipients.to(recipients(seed.recipients())),
            TransferSettings.DEFAULTS,
            outcome(seed.outcome()),
            seed.processingTime());
    for (FileSeed file : files(seed.files())) {
      session.addFile(
          new FileInfo(ids.alphanumeric(FILE_ID_LENGTH), fileName(file), fileSize(file), null),
          file.uploaded() == null || file.uploaded());
    }
    if (transfers.isTaken(trackingId) || !sessions.add(session)) {
      throw new ResponseStatusException(
          HttpStatus.CONFLICT, "tracking id " + trackingId + " is already taken");
    }
    String base = Links.base(request);
    String sessionUrl = Links.session(base, seed.sender(), trackingId);
    return ResponseEntity.created(URI.create(sessionUrl))
        .body(
            new SeededSession(
                seed.sender(),
                trackingId,
                sessionUrl,
                Links.status(base, seed.sender(), trackingId)));
  }

  /**
   * Seeds many finalized transfers at once (benchmarks): far cheaper than a seeded session and a
   * finalize request each, and the transfers behave the same from then on.
   */
  @PostMapping("/transfers")
  public ResponseEntity<SeededTransfers> seedTransfers(
      @RequestBody TransferSeed seed, HttpServletRequest request) {
    List<String> senders = seed.senders();
    if (senders == null || senders.isEmpty()) {
      throw ControlErrors.badRequest("senders must name at least one sender");
    }
    for (String sender : senders) {
      if (sender == null || !PathVariables.isEmail(sender)) {
        throw ControlErrors.badRequest("senders must be email addresses");
      }
    }
    int count = seed.count() == null ? 1 : seed.count();
    if (count < 1 || count > MAX_SEEDED_TRANSFERS) {
      throw ControlErrors.badRequest("count must be 1.." + MAX_SEEDED_TRANSFERS);
    }
    String prefix = seed.trackingIdPrefix() == null ? "Seeded" : seed.trackingIdPrefix();
    if (!PathVariables.isTrackingId(seededTrackingId(prefix, count - 1))) {
      throw ControlErrors.badRequest(
          "trackingIdPrefix must make tracking ids of 1-64 [A-Za-z0-9_-]");
    }
    if (seed.processingTime() != null && seed.processingTime().isNegative()) {
      throw ControlErrors.badRequest("processingTime must not be negative");
    }
    Outcome outcome = outcome(seed.outcome());
    for (int i = 0; i < count; i++) {
      if (transfers.isTaken(seededTrackingId(prefix, i))) {
        throw new ResponseStatusException(
            HttpStatus.CONFLICT,
            "tracking id " + seededTrackingId(prefix, i) + " is already taken");
      }
    }
    Recipients recipients = Recipients.to(List.of(defaultRecipient));
    int created = 0;
    for (int i = 0; i < count; i++) {
      if (transfers.seedFinalized(
          seededTrackingId(prefix, i),
          senders.get(i % senders.size()),
          recipients,
          outcome,
          seed.processingTime())) {
        created++;
      }
    }
    String base = Links.base(request);
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(
            new SeededTransfers(
                created,
                Links.status(base, senders.getFirst(), seededTrackingId(prefix, 0)),
                Links.status(
                    base,
                    senders.get((count - 1) % senders.size()),
                    seededTrackingId(prefix, count - 1))));
  }

  private static String seededTrackingId(String prefix, int index) {
    return "%s-%06d".formatted(prefix, index);
  }

  private List<String> recipients(@Nullable List<String> recipients) {
    if (recipients == null) {
      return List.of(defaultRecipient);
    }
    for (String mail : recipients) {
      if (mail == null || !PathVariables.isEmail(mail)) {
        throw ControlErrors.badRequest("recipients must be email addresses");
      }
    }
    return recipients;
  }

  private static List<FileSeed> files(@Nullable List<FileSeed> files) {
    return files != null ? files : List.of(new FileSeed(null, null, true));
  }

  private static String fileName(FileSeed file) {
    return file.name() == null || file.name().isBlank() ? SEED_FILE_NAME : file.name();
  }

  private static long fileSize(FileSeed file) {
    if (file.size() != null && file.size() < 0) {
      throw ControlErrors.badRequest("file size must not be negative");
    }
    return file.size() == null ? SEED_FILE_SIZE : file.size();
  }

  private static @Nullable Outcome outcome(@Nullable String outcome) {
    if (outcome == null) {
      return null;
    }
    try {
      return Outcome.parse(outcome);
    } catch (IllegalArgumentException e) {
      throw ControlErrors.badRequest("outcome must be ACTIVE, FAILED or ACTIVE_WITH_WARNINGS");
    }
  }
}

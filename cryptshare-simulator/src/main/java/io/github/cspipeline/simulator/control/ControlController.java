package io.github.cspipeline.simulator.control;

import io.github.cspipeline.simulator.api.Ids;
import io.github.cspipeline.simulator.api.Links;
import io.github.cspipeline.simulator.api.PathVariables;
import io.github.cspipeline.simulator.config.SimulatorProperties;
import io.github.cspipeline.simulator.config.SimulatorSettings;
import io.github.cspipeline.simulator.control.ControlRequests.ConfigView;
import io.github.cspipeline.simulator.control.ControlRequests.FileSeed;
import io.github.cspipeline.simulator.control.ControlRequests.FinalizeOutcomes;
import io.github.cspipeline.simulator.control.ControlRequests.RevokedTokens;
import io.github.cspipeline.simulator.control.ControlRequests.SeededSession;
import io.github.cspipeline.simulator.control.ControlRequests.SeededTransfers;
import io.github.cspipeline.simulator.control.ControlRequests.SenderView;
import io.github.cspipeline.simulator.control.ControlRequests.SessionSeed;
import io.github.cspipeline.simulator.control.ControlRequests.StateUpdate;
import io.github.cspipeline.simulator.control.ControlRequests.TransferCalls;
import io.github.cspipeline.simulator.control.ControlRequests.TransferSeed;
import io.github.cspipeline.simulator.control.ControlRequests.TransferSummaries;
import io.github.cspipeline.simulator.control.ControlRequests.TransferSummary;
import io.github.cspipeline.simulator.policy.SenderPolicies;
import io.github.cspipeline.simulator.policy.SenderPolicy;
import io.github.cspipeline.simulator.session.FileInfo;
import io.github.cspipeline.simulator.session.Outcome;
import io.github.cspipeline.simulator.session.Recipients;
import io.github.cspipeline.simulator.session.Session;
import io.github.cspipeline.simulator.session.SessionStore;
import io.github.cspipeline.simulator.session.TransferSettings;
import io.github.cspipeline.simulator.stats.CallCounts;
import io.github.cspipeline.simulator.stats.RequestStats;
import io.github.cspipeline.simulator.transfer.Transfer;
import io.github.cspipeline.simulator.transfer.TransferService;
import io.github.cspipeline.simulator.verification.VerificationService;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;

/** The control API of CONTRACT.md §5: configuration, senders, seeded sessions, transfers. */
@RestController
@RequestMapping("/simulator")
public class ControlController {

  private static final String SEED_FILE_NAME = "document.pdf";
  private static final long SEED_FILE_SIZE = 1024;
  private static final int FILE_ID_LENGTH = 10;
  private static final int MAX_SEEDED_TRANSFERS = 1_000_000;

  private final SimulatorSettings settings;
  private final VerificationService verification;
  private final SenderPolicies policies;
  private final SessionStore sessions;
  private final TransferService transfers;
  private final RequestStats stats;
  private final SimulatorReset reset;
  private final Ids ids;
  private final Clock clock;
  private final String defaultRecipient;

  public ControlController(
      SimulatorSettings settings,
      VerificationService verification,
      SenderPolicies policies,
      SessionStore sessions,
      TransferService transfers,
      RequestStats stats,
      SimulatorReset reset,
      Ids ids,
      Clock clock,
      SimulatorProperties properties) {
    this.settings = settings;
    this.verification = verification;
    this.policies = policies;
    this.sessions = sessions;
    this.transfers = transfers;
    this.stats = stats;
    this.reset = reset;
    this.ids = ids;
    this.clock = clock;
    this.defaultRecipient = properties.autoSessionRecipient();
  }

  @GetMapping("/config")
  public ConfigView config() {
    return view(settings.current());
  }

  @PutMapping("/config")
  public ConfigView updateConfig(@RequestBody SimulatorSettings.Update update) {
    try {
      return view(settings.update(update));
    } catch (IllegalArgumentException e) {
      throw badRequest(e.getMessage());
    }
  }

  @GetMapping("/senders/{email}")
  public SenderView sender(@PathVariable String email) {
    String key = senderKey(email);
    SenderPolicy policy = policies.get(key);
    return new SenderView(
        email,
        verification.isVerified(key),
        verification.pendingCode(key),
        verification.invalidTokenStatus(key).value(),
        policy == null ? null : policy.name());
  }

  /**
   * A partial update of {@code verified}, {@code invalidTokenStatus} and {@code policy}: absent
   * fields keep their value, {@code "policy": null} lifts a policy. Read as a tree because a record
   * cannot tell an absent field from a null one.
   */
  @PutMapping("/senders/{email}")
  public SenderView updateSender(@PathVariable String email, @RequestBody JsonNode update) {
    String key = senderKey(email);
    if (!update.isObject()
        || !(update.has("verified") || update.has("invalidTokenStatus") || update.has("policy"))) {
      throw badRequest("name at least one of verified, invalidTokenStatus, policy");
    }
    JsonNode verified = update.get("verified");
    if (verified != null && !verified.isBoolean()) {
      throw badRequest("verified must be true or false");
    }
    JsonNode status = update.get("invalidTokenStatus");
    if (status != null
        && !(status.isIntegralNumber() && (status.asInt() == 401 || status.asInt() == 403))) {
      throw badRequest("invalidTokenStatus must be 401 or 403");
    }
    SenderPolicy policy = update.has("policy") ? policy(update.get("policy")) : null;
    // Everything is checked before anything changes: a refused update changes nothing.
    if (verified != null) {
      verification.setVerified(key, verified.asBoolean());
    }
    if (status != null) {
      verification.setInvalidTokenStatus(key, status.asInt());
    }
    if (update.has("policy")) {
      policies.set(key, policy);
    }
    return sender(email);
  }

  private static @Nullable SenderPolicy policy(JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    try {
      if (value.isString()) {
        return SenderPolicy.valueOf(value.asString());
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw badRequest("policy must be null, SENDER_REJECTED or SENDER_RECIPIENT_REJECTED");
  }

  @DeleteMapping("/senders/{email}/tokens")
  public RevokedTokens revokeTokens(@PathVariable String email) {
    return new RevokedTokens(email, verification.revokeTokens(senderKey(email)));
  }

  @PostMapping("/sessions")
  public ResponseEntity<SeededSession> seedSession(
      @RequestBody SessionSeed seed, HttpServletRequest request) {
    if (seed.sender() == null || !PathVariables.isEmail(seed.sender())) {
      throw badRequest("sender must be an email address");
    }
    String trackingId = seed.trackingId() != null ? seed.trackingId() : ids.trackingId();
    if (!PathVariables.isTrackingId(trackingId)) {
      throw badRequest("trackingId must be 1-64 characters of [A-Za-z0-9_-]");
    }
    if (seed.processingTime() != null && seed.processingTime().isNegative()) {
      throw badRequest("processingTime must not be negative");
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
      throw badRequest("senders must name at least one sender");
    }
    for (String sender : senders) {
      if (sender == null || !PathVariables.isEmail(sender)) {
        throw badRequest("senders must be email addresses");
      }
    }
    int count = seed.count() == null ? 1 : seed.count();
    if (count < 1 || count > MAX_SEEDED_TRANSFERS) {
      throw badRequest("count must be 1.." + MAX_SEEDED_TRANSFERS);
    }
    String prefix = seed.trackingIdPrefix() == null ? "Seeded" : seed.trackingIdPrefix();
    if (!PathVariables.isTrackingId(seededTrackingId(prefix, count - 1))) {
      throw badRequest("trackingIdPrefix must make tracking ids of 1-64 [A-Za-z0-9_-]");
    }
    if (seed.processingTime() != null && seed.processingTime().isNegative()) {
      throw badRequest("processingTime must not be negative");
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

  @GetMapping("/transfers/{trackingId}")
  public TransferCalls transfer(@PathVariable String trackingId) {
    Transfer transfer = transfers.transfer(trackingId);
    CallCounts calls = stats.calls(trackingId);
    Session session = sessions.get(trackingId);
    CallCounts.Outcomes outcomes = calls.finalizeOutcomes();
    return new TransferCalls(
        trackingId,
        transfer == null ? null : transfer.state(clock.instant()),
        calls.finalizeCalls(),
        calls.statusCalls(),
        outcomes.effective(),
        FinalizeOutcomes.of(outcomes),
        session != null && session.isOpen(),
        calls.lastFinalizeTraceparent(),
        calls.lastStatusTraceparent());
  }

  /**
   * Every tracking id with at least one finalize call, sorted by tracking id: one pass over the
   * counts with a map lookup each, for audits over many thousand transfers.
   */
  @GetMapping("/transfers")
  public TransferSummaries finalizedTransfers() {
    Instant now = clock.instant();
    List<TransferSummary> summaries = new ArrayList<>();
    stats.forEachFinalized(
        (trackingId, calls) -> {
          Transfer transfer = transfers.transfer(trackingId);
          Session session = transfer == null ? sessions.get(trackingId) : null;
          String sender =
              transfer != null
                  ? transfer.sender()
                  : session != null ? session.sender() : calls.lastFinalizeSender();
          CallCounts.Outcomes outcomes = calls.finalizeOutcomes();
          summaries.add(
              new TransferSummary(
                  trackingId,
                  sender,
                  transfer == null ? null : transfer.state(now),
                  calls.finalizeCalls(),
                  calls.statusCalls(),
                  outcomes.effective(),
                  FinalizeOutcomes.of(outcomes)));
        });
    summaries.sort(Comparator.comparing(TransferSummary::trackingId));
    return new TransferSummaries(summaries);
  }

  @PutMapping("/transfers/{trackingId}")
  public TransferCalls forceState(
      @PathVariable String trackingId, @RequestBody StateUpdate update) {
    Transfer transfer = transfers.transfer(trackingId);
    if (transfer == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no transfer " + trackingId);
    }
    String state = update.state();
    if (state != null && state.isBlank()) {
      throw badRequest("state must not be blank (null lifts a forced state)");
    }
    transfer.forceState(state == null ? null : state.trim());
    return transfer(trackingId);
  }

  @PostMapping("/reset")
  public ResponseEntity<Void> reset() {
    reset.resetAll();
    return ResponseEntity.noContent().build();
  }

  private List<String> recipients(@Nullable List<String> recipients) {
    if (recipients == null) {
      return List.of(defaultRecipient);
    }
    for (String mail : recipients) {
      if (mail == null || !PathVariables.isEmail(mail)) {
        throw badRequest("recipients must be email addresses");
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
      throw badRequest("file size must not be negative");
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
      throw badRequest("outcome must be ACTIVE, FAILED or ACTIVE_WITH_WARNINGS");
    }
  }

  private static String senderKey(String email) {
    if (!PathVariables.isEmail(email)) {
      throw badRequest("not an email address: " + email);
    }
    return email.toLowerCase(Locale.ROOT);
  }

  private static ConfigView view(SimulatorSettings.Values values) {
    return new ConfigView(
        values.autoSessions(), values.processingTime().toString(), values.failedRatio());
  }

  private static ResponseStatusException badRequest(@Nullable String message) {
    return new ResponseStatusException(HttpStatus.BAD_REQUEST, message);
  }
}

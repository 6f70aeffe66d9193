package io.github.cspipeline.simulator.session;

import io.github.cspipeline.simulator.api.Caller;
import io.github.cspipeline.simulator.api.Envelope;
import io.github.cspipeline.simulator.api.Links;
import io.github.cspipeline.simulator.session.SessionRequests.Creation;
import io.github.cspipeline.simulator.session.SessionRequests.FileCreation;
import io.github.cspipeline.simulator.session.SessionRequests.Patch;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/users/{sender}/transfer-sessions")
public class SessionController {

  public record FileCreated(String fileId) {}

  private final SessionService sessions;

  public SessionController(SessionService sessions) {
    this.sessions = sessions;
  }

  @PostMapping
  public ResponseEntity<Void> create(
      Caller caller,
      @PathVariable String sender,
      @RequestBody(required = false) @Nullable Creation body,
      HttpServletRequest request) {
    Session session = sessions.create(caller, sender, body);
    String location = Links.session(Links.base(request), sender, session.trackingId());
    return ResponseEntity.created(URI.create(location)).build();
  }

  @GetMapping("/{trackingId}")
  public Envelope<TransferSessionView> get(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      HttpServletRequest request) {
    Session session = sessions.access(caller, sender, trackingId);
    return Envelope.of(view(session.snapshot(), sender, Links.base(request)));
  }

  @PatchMapping("/{trackingId}")
  public Envelope<TransferSessionView> patch(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      @RequestBody Patch body,
      HttpServletRequest request) {
    Session session = sessions.access(caller, sender, trackingId);
    sessions.patch(session, body);
    return Envelope.of(view(session.snapshot(), sender, Links.base(request)));
  }

  @DeleteMapping("/{trackingId}")
  public ResponseEntity<Void> delete(
      Caller caller, @PathVariable String sender, @PathVariable String trackingId) {
    sessions.delete(sessions.access(caller, sender, trackingId));
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/{trackingId}/files")
  public ResponseEntity<Envelope<FileCreated>> addFile(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      @RequestBody(required = false) @Nullable FileCreation body,
      HttpServletRequest request) {
    Session session = sessions.access(caller, sender, trackingId);
    FileInfo file = sessions.addFile(session, body);
    String location = Links.sessionFile(Links.base(request), sender, trackingId, file.id());
    return ResponseEntity.created(URI.create(location))
        .body(Envelope.of(new FileCreated(file.id())));
  }

  @DeleteMapping("/{trackingId}/files/{fileId}")
  public ResponseEntity<Void> deleteFile(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      @PathVariable String fileId) {
    sessions.deleteFile(sessions.access(caller, sender, trackingId), fileId);
    return ResponseEntity.noContent().build();
  }

  @PutMapping("/{trackingId}/files/{fileId}/content")
  public ResponseEntity<Void> putContent(
      Caller caller,
      @PathVariable String sender,
      @PathVariable String trackingId,
      @PathVariable String fileId,
      HttpServletRequest request)
      throws IOException {
    Session session = sessions.access(caller, sender, trackingId);
    sessions.putContent(session, fileId, request.getInputStream());
    return ResponseEntity.ok().build();
  }

  private TransferSessionView view(Session.Snapshot snapshot, String sender, String base) {
    var files =
        snapshot.files().stream()
            .map(
                file ->
                    new TransferSessionView.FileView(
                        file.info().id(),
                        file.info().fileName(),
                        file.info().size(),
                        file.info().checksum(),
                        Links.sessionFile(base, sender, snapshot.trackingId(), file.info().id()),
                        file.state()))
            .toList();
    return TransferSessionView.of(
        snapshot.settings(),
        snapshot.recipients(),
        files,
        sessions.expirationOf(snapshot.settings(), sessions.now()));
  }
}
